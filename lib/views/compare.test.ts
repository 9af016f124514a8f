import { describe, expect, it } from 'vitest';
import { axisNames, compareLines } from './compare';
import { OKABE_ITO } from './palette';

const run = (id: string, kind: string, seed: number, config: Record<string, unknown> = {}) => ({
  id,
  kind,
  label: `${kind} seed ${seed}`,
  status: 'finished' as const,
  seed,
  gamma: (config.gamma as number) ?? null,
  interval: (config.interval as number) ?? null,
  config: { method: kind, seed, ...config },
});

describe('compare lines', () => {
  it('colour runs by method as the sweep pages do, seeds by dash, a second metric by dash and axis', () => {
    const runs = [
      run('l1', 'lisa', 1, { gamma: 2, interval: 5 }),
      run('f1', 'full', 1),
      run('l2', 'lisa', 2, { gamma: 2, interval: 5 }),
      run('r1', 'lora', 1, { rank: 8 }),
    ];
    const lines = compareLines(runs, ['eval/loss', 'eval/accuracy']);
    const of = (id: string, metric: string) => lines.find((l) => l.runId === id && l.metric === metric);
    expect(of('f1', 'eval/loss')).toMatchObject({ color: OKABE_ITO.vermillion, dash: 'solid', axis: 0 });
    expect(of('r1', 'eval/loss')).toMatchObject({ color: OKABE_ITO.blue, dash: 'solid', axis: 0 });
    expect(of('l1', 'eval/loss')).toMatchObject({ color: OKABE_ITO.green, dash: 'solid' });
    expect(of('l2', 'eval/loss')).toMatchObject({ color: OKABE_ITO.green, dash: 'dashed' });
    expect(of('f1', 'eval/accuracy')).toMatchObject({ color: OKABE_ITO.vermillion, dash: 'dashed', axis: 1 });
    expect(of('f1', 'eval/accuracy')?.name).toBe('full seed 1 · eval/accuracy');
    expect(compareLines(runs, ['train/loss'])[0].name).toBe('lisa seed 1');
    const losses = compareLines(runs, ['train/loss', 'eval/loss']);
    expect(losses.every((l) => l.axis === 0)).toBe(true);
    expect(axisNames(losses)).toEqual(['train/loss, eval/loss (nats / token)', '']);
    expect(axisNames(lines)).toEqual(['eval loss (nats / token)', 'eval accuracy (fraction)']);
  });
});
