import { describe, expect, it } from 'vitest';
import { cellDisplay, type AblationRow } from './ablation';

const row = (stats: AblationRow['stats'], extra: Partial<AblationRow> = {}): AblationRow => ({
  method: 'lisa',
  label: 'LISA γ=2 K=5',
  gamma: 2,
  interval: 5,
  switches: 2,
  steps: 10,
  excluded: 0,
  refused: [],
  best: false,
  lr: null,
  lrChoice: [],
  comparisons: [],
  stats,
  ...extra,
});

describe('cellDisplay', () => {
  it('reads "running" or "—" for a cell with no counted run, never "NaN (n = 0)"', () => {
    const empty = row({ n: 0, nonFinite: 0, mean: NaN, std: NaN }, { excluded: 2 });
    expect(cellDisplay(empty, 'eval/loss', true)).toEqual({ best: false, value: 'running', count: '' });
    expect(cellDisplay(empty, 'eval/loss', false)).toEqual({ best: false, value: '—', count: '' });
    const diverged = row({ n: 0, nonFinite: 1, mean: NaN, std: NaN });
    expect(cellDisplay(diverged, 'eval/loss', false)).toEqual({ best: false, value: '—', count: '(n = 0, +1 NaN)' });
  });

  it('prints the Markdown export’s text: the mean to its spread’s precision, bytes in MiB', () => {
    const loss = row({ n: 3, nonFinite: 0, mean: 4.86972, std: 0.006113 }, { best: true });
    expect(cellDisplay(loss, 'eval/loss', false)).toEqual({ best: true, value: '4.8697 ± 0.0061', count: '(n = 3)' });
    const mem = row({ n: 2, nonFinite: 0, mean: 2e8, std: 2 ** 20 });
    expect(cellDisplay(mem, 'mem/peak_bytes', false).value).toBe('190.7 ± 1.0');
    const one = row({ n: 1, nonFinite: 0, mean: 2.5, std: NaN });
    expect(cellDisplay(one, 'eval/loss', false)).toMatchObject({ value: '2.5', count: '(n = 1)' });
  });
});
