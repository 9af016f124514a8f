import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKENS_PER_S,
  RUN_OVERHEAD_S,
  estimateRunTime,
  planTime,
  throughputFor,
  type ThroughputSample,
} from './time';

const config = {
  preset: 'mini',
  method: 'lisa',
  backend: 'auto',
  steps: 100,
  batch: 8,
  seq: 64,
  eval_every: 1000,
  eval_records: 256,
} as const;

describe('time estimates', () => {
  it('uses the stated default when nothing was measured', () => {
    const t = estimateRunTime(config, []);
    expect(t).toMatchObject({ source: 'default', match: 'default', samples: 0, tokens: 51_200 });
    expect(t.seconds).toBeCloseTo(51_200 / DEFAULT_TOKENS_PER_S.mini + RUN_OVERHEAD_S);
  });

  it('prefers measured runs of the same preset, backend and method (median)', () => {
    const history: ThroughputSample[] = [
      { preset: 'mini', backend: 'tensorflow', method: 'lisa', tokensPerS: 1000 },
      { preset: 'mini', backend: 'tensorflow', method: 'lisa', tokensPerS: 3000 },
      { preset: 'mini', backend: 'tensorflow', method: 'lisa', tokensPerS: 2000 },
      { preset: 'mini', backend: 'wasm', method: 'full', tokensPerS: 400 },
      { preset: 'nano', backend: 'tensorflow', method: 'lisa', tokensPerS: 99_999 },
    ];
    expect(throughputFor({ ...config, backend: 'tensorflow' }, history)).toMatchObject({
      tokensPerS: 2000,
      match: 'preset+backend+method',
      samples: 3,
    });
    expect(throughputFor({ ...config, backend: 'wasm' }, history)).toMatchObject({
      tokensPerS: 400,
      match: 'preset+backend',
    });
    expect(throughputFor({ ...config, backend: 'cpu' }, history)).toMatchObject({ match: 'preset', samples: 4 });
    expect(throughputFor({ ...config, preset: 'small' }, history).source).toBe('default');
    expect(
      throughputFor(config, [{ preset: 'mini', backend: 'x', method: 'lisa', tokensPerS: Number.NaN }]).source,
    ).toBe('default');
  });

  it('adds forward-only evaluation time', () => {
    const noEval = estimateRunTime(config, []).seconds;
    expect(estimateRunTime({ ...config, eval_every: 10 }, []).seconds).toBeGreaterThan(noEval);
  });

  it('totals a plan serially and over slots, pretrain first', () => {
    expect(planTime(10, [5, 5, 5, 5], 1)).toEqual({ serialSeconds: 30, parallelSeconds: 30, slots: 1 });
    expect(planTime(10, [5, 5, 5, 5], 2)).toEqual({ serialSeconds: 30, parallelSeconds: 20, slots: 2 });
    expect(planTime(0, [9, 1, 1, 1], 3).parallelSeconds).toBe(9);
    expect(planTime(0, [], 0)).toEqual({ serialSeconds: 0, parallelSeconds: 0, slots: 1 });
  });
});
