import { describe, expect, it } from 'vitest';
import { configDiff } from './config-diff';

describe('the config diff', () => {
  it('keeps only the keys that differ, a missing key included, run paths left out', () => {
    const rows = configDiff([
      { kind: 'lisa', config: { method: 'lisa', lr: 0.001, gamma: 2, steps: 40, seed: 1, out: '/a', tags: [1] } },
      { kind: 'full', config: { method: 'full', lr: 0.001, steps: 40, seed: 2, out: '/b', tags: [2] } },
      { kind: 'lisa', config: { method: 'lisa', lr: 0.0003, gamma: 2, steps: 40, seed: 1, out: '/c', tags: [1] } },
    ]);
    expect(rows).toEqual([
      { key: 'method', values: ['lisa', 'full', 'lisa'] },
      { key: 'gamma', values: ['2', 'not used', '2'] },
      { key: 'lr', values: ['0.001', '0.001', '0.0003'] },
      { key: 'seed', values: ['1', '2', '1'] },
      { key: 'tags', values: ['[1]', '[2]', '[1]'] },
    ]);
  });

  it('says "not used" for a knob the method does not use, and leaves out knobs unused alike', () => {
    const rows = configDiff([
      { kind: 'full', config: { rank: 8, alpha: 16, gamma: 2, interval: 20 } },
      { kind: 'lora', config: { rank: 4, alpha: 8, gamma: 2, interval: 20 } },
    ]);
    expect(rows).toEqual([
      { key: 'method', values: ['full', 'lora'] },
      { key: 'alpha', values: ['not used', '8'] },
      { key: 'rank', values: ['not used', '4'] },
    ]);
  });

  it('is empty for runs set up alike', () => {
    expect(
      configDiff([
        { kind: 'lisa', config: { lr: 1, out: '/x' } },
        { kind: 'lisa', config: { lr: 1 } },
      ]),
    ).toEqual([]);
  });
});
