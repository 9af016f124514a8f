import { describe, expect, it } from 'vitest';
import { dryRun } from './dry-run';
import { SPEC_PRESETS, specPreset } from './presets';
import { formatProblems, parseSweepSpec } from './spec';
import type { SweepSpec } from './types';

function preset(id: string): SweepSpec {
  const r = parseSweepSpec(specPreset(id)!.yaml, 'application/yaml');
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.spec;
}

describe('built-in spec presets', () => {
  it.each(SPEC_PRESETS.map((p) => [p.id, p] as const))('%s passes validation', (_id, p) => {
    const r = parseSweepSpec(p.yaml, 'application/yaml');
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it('plan to the documented sizes', () => {
    expect(dryRun(preset('lisa-ablation-mini'), [], 1).totals.runs).toBe(14);
    expect(dryRun(preset('weight-norms-figure-2'), [], 1).runs.map((r) => r.kind)).toEqual(['lisa', 'full', 'lora']);
    expect(dryRun(preset('nano-demo'), [], 1).totals.runs).toBe(12);
  });
});

describe('dryRun', () => {
  const spec = preset('nano-demo');

  it('shows the sbatch line of each run of a Slurm sweep; the fine-tunes wait for the pretrain', () => {
    expect(dryRun(spec, [], 1).runs[0].sbatch).toBeUndefined();
    const d = dryRun({ ...spec, executor: { kind: 'slurm', time: '30' } }, [], 4, {
      executor: { kind: 'local', slurmDefaults: { partition: 'gpu' } },
    });
    expect(d.pretrain?.sbatch).toContain(' --partition=gpu --time=30 ');
    expect(d.pretrain?.sbatch).not.toContain('--dependency');
    expect(d.runs[0].sbatch).toMatch(
      /^sbatch --parsable '--job-name=layerlab-<run>' .* '--dependency=afterok:<pretrain job>'/,
    );
    expect(dryRun(spec, [], 1, { executor: { kind: 'slurm' } }).runs[0].sbatch).toContain('--signal=B:USR2@120');
  });

  it('estimates every run and the totals, JSON-friendly', () => {
    const d = dryRun(spec, [], 2);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.pretrain?.estimate.seconds).toBeGreaterThan(0);
    for (const r of [d.pretrain!, ...d.runs]) {
      expect(r.estimate.memory.peakBytes).toBeGreaterThan(r.estimate.memory.breakdown.overhead);
      expect(r.estimate.throughput).toBe('default');
    }
    const sum = d.runs.reduce((n, r) => n + r.estimate.seconds, d.pretrain!.estimate.seconds);
    expect(d.totals.serialSeconds).toBeCloseTo(sum, 0);
    expect(d.totals.parallelSeconds).toBeLessThan(d.totals.serialSeconds);
    expect(d.totals).toMatchObject({ runs: 12, slots: 2, steps: 20 + 12 * 10 });
    expect(d.assumptions.some((a) => a.includes('default throughput for nano'))).toBe(true);
  });

  it('uses measured throughput and skips finished runs', () => {
    const history = [{ preset: 'nano', backend: 'tensorflow', method: 'lisa', tokensPerS: 1e6 }];
    const plain = dryRun(spec, [], 1);
    const d = dryRun(spec, history, 1, { finishedHashes: [plain.pretrain!.configHash] });
    expect(d.pretrain?.estimate).toMatchObject({ reused: true, seconds: 0 });
    expect(d.runs.find((r) => r.kind === 'lisa')?.estimate).toMatchObject({ throughput: 'measured', tokensPerS: 1e6 });
    expect(d.totals.serialSeconds).toBeLessThan(plain.totals.serialSeconds);
  });

  it('orders memory: LISA γ=1 < full, and LoRA < full', () => {
    const d = dryRun(spec, [], 1);
    const peak = (key: string) => d.runs.find((r) => r.key === key)!.estimate.memory.peakBytes;
    expect(peak('lisa-g1-k2-s1')).toBeLessThan(peak('full-s1'));
    expect(peak('lora-r4-a8-s1')).toBeLessThan(peak('full-s1'));
    expect(d.totals.peakMemoryBytes).toBe(
      Math.max(...[d.pretrain!, ...d.runs].map((r) => r.estimate.memory.peakBytes)),
    );
  });
});
