import { describe, expect, it } from 'vitest';
import {
  compareLlama7bBreakdown,
  compareTable1,
  heldOutMarkdown,
  table1Cells,
  table1HeldOut,
  table1Markdown,
} from './calibration';
import { estimateMemory, expectedKeptBlocks, loraParams, type MemoryInput } from './memory';
import { TABLE1_CALIBRATION } from './paper-table1';
import { PAPER_MODELS, modelShape, paramCounts, presetShape } from './shapes';

describe('model shapes', () => {
  it.each([
    ['gpt2-small', 124.4e6],
    ['tinyllama', 1.1e9],
    ['phi-2', 2.78e9],
    ['mistral-7b', 7.24e9],
    ['llama-2-7b', 6.74e9],
    ['llama-2-70b', 68.98e9],
  ] as const)('%s has its published parameter count', (name, published) => {
    expect(Math.abs(paramCounts(PAPER_MODELS[name]).total / published - 1)).toBeLessThan(0.01);
  });

  it('knows the LayerLab presets and rejects unknown names', () => {
    expect(modelShape('mini')?.layers).toBe(6);
    expect(modelShape('gpt2')?.hidden).toBe(768);
    expect(modelShape('llama-2-7b')?.layers).toBe(32);
    expect(modelShape('nope')).toBeUndefined();
  });
});

describe('memory model against the LISA paper, Table 1 (arXiv 2403.17919 v1)', () => {
  const rows = compareTable1();

  it('logs the comparison', () => {
    console.log(`Table 1: paper / ours (GiB)\n${table1Markdown(rows)}`);
    expect(rows).toHaveLength(42);
  });

  it.each(rows.filter((r) => r.paper !== 'OOM').map((r) => [r.model, r.column, r] as const))(
    '%s %s within 15%%',
    (_m, _c, r) => {
      expect(Math.abs(r.relError ?? Infinity)).toBeLessThan(0.15);
      expect(r.predictedOom).toBe(false);
    },
  );

  it('predicts OOM for LLaMA-2-70B full, LoRA r256 and r512 on 80 GB GPUs', () => {
    const oom = rows.filter((r) => r.paper === 'OOM');
    expect(oom.map((r) => r.column)).toEqual(['full', 'lora-r256', 'lora-r512']);
    for (const r of oom) expect(r.predictedOom).toBe(true);
  });

  it('has a LLaMA-2-7B breakdown close to the paper figure', () => {
    for (const { ours, paper, column } of compareLlama7bBreakdown()) {
      expect(Math.abs(ours.weights - paper.weights), column).toBeLessThan(1);
      // Read by eye from a bar chart: only sanity here.
      expect(Math.abs(ours.optimizer - paper.optimizer), column).toBeLessThan(1);
      expect(Math.abs(ours.grads - paper.grads), column).toBeLessThan(1);
      expect(Math.abs(ours.activations - paper.activations), column).toBeLessThan(1);
    }
  });
});

describe('memory model held out: constants fitted on half of Table 1, scored on the other half', () => {
  const reports = (['GiB', 'GB'] as const).map(table1HeldOut);

  it('logs the held-out figures under both readings of "G"', () => {
    console.log(`Table 1 held out (mean / max |relative error|)\n${heldOutMarkdown(reports)}`);
    const cells = table1Cells();
    expect(cells.filter((c) => c.index % 2 === 0)).toHaveLength(21);
    // Every fold scores cells it was not fitted on: the halves do not overlap.
    expect(new Set(cells.map((c) => c.index)).size).toBe(42);
  });

  it.each(reports.flatMap((r) => r.folds.map((f) => [r.reading, f.fitOn, f] as const)))(
    '%s reading, fitted on %s cells: held-out mean error under 6%%, max under 20%%',
    (_r, _f, fold) => {
      expect(fold.inSample.n + fold.heldOut.n).toBe(39);
      expect(fold.heldOut.mean).toBeLessThan(0.06);
      expect(fold.heldOut.max).toBeLessThan(0.2);
    },
  );

  it('reads "G" as GiB: the GiB reading fits better than decimal GB', () => {
    const [gib, gb] = reports;
    expect(gib.all.error.mean).toBeLessThan(gb.all.error.mean);
    expect(gib.all.error.oomMisses).toBe(0);
  });
});

describe('memory model behaviour', () => {
  const base: MemoryInput = {
    shape: PAPER_MODELS['llama-2-7b'],
    method: 'lisa',
    batch: 1,
    seq: 512,
    precision: 'half',
    gamma: 2,
  };
  const peak = (m: Partial<MemoryInput>) => estimateMemory({ ...base, ...m }).peakBytes;

  it('grows with batch, sequence, γ and rank', () => {
    expect(peak({ batch: 2 })).toBeGreaterThan(peak({}));
    expect(peak({ seq: 1024 })).toBeGreaterThan(peak({}));
    expect(peak({ gamma: 4 })).toBeGreaterThan(peak({}));
    expect(peak({ method: 'lora', rank: 64 })).toBeGreaterThan(peak({ method: 'lora', rank: 8 }));
  });

  it('orders methods as the paper does: LISA E+H+2L < LoRA r128 < full', () => {
    expect(peak({})).toBeLessThan(peak({ method: 'lora', rank: 128 }));
    expect(peak({ method: 'lora', rank: 128 })).toBeLessThan(peak({ method: 'full' }));
  });

  it('keeps more optimizer state with optimizer_state=keep as switches accumulate', () => {
    const reset = estimateMemory({ ...base, optimizerState: 'reset', switches: 50 }).breakdown.optimizer;
    const keep1 = estimateMemory({ ...base, optimizerState: 'keep', switches: 1 }).breakdown.optimizer;
    const keep50 = estimateMemory({ ...base, optimizerState: 'keep', switches: 50 }).breakdown.optimizer;
    expect(keep1).toBeCloseTo(reset);
    expect(keep50).toBeGreaterThan(reset * 5);
    expect(expectedKeptBlocks(32, 2, 1000)).toBeCloseTo(32);
    expect(expectedKeptBlocks(6, 8, 3)).toBe(6);
  });

  it('charges 16 bytes per trained parameter in fp32 and mixed precision, 8 in half', () => {
    const bytes = (precision: MemoryInput['precision']) => {
      const b = estimateMemory({ ...base, method: 'full', precision }).breakdown;
      return (b.weights + b.grads + b.optimizer) / paramCounts(base.shape).total;
    };
    expect(bytes('fp32')).toBeCloseTo(16);
    expect(bytes('mixed')).toBeCloseTo(16);
    expect(bytes('half')).toBeCloseTo(8);
  });

  it('charges LISA for the untied head it always trains: gradients and AdamW state of embed, pos, lnf, head', () => {
    const s = presetShape('gpt2');
    const input = {
      shape: s,
      method: 'lisa',
      gamma: 0,
      batch: 1,
      seq: 8,
      precision: 'fp32',
      overheadBytes: 0,
    } as const;
    const b = estimateMemory(input).breakdown;
    const always = 50257 * 768 + 1024 * 768 + 2 * 768 + 768 * 50257;
    expect(b.grads).toBe(4 * always);
    expect(b.optimizer).toBe(8 * always);
  });

  it('counts LoRA parameters over the chosen targets', () => {
    const s = PAPER_MODELS['llama-2-7b'];
    expect(loraParams(s, 8, ['q', 'v'], false)).toBe(32 * 2 * 8 * (4096 + 4096));
    expect(loraParams(s, 8, ['q', 'v'], true)).toBe(32 * 2 * 8 * 8192 + 8 * (32000 + 4096));
  });

  it('splits the model-parallel share per GPU, overhead per GPU', () => {
    const one = estimateMemory({ ...base, gpus: 1 }).breakdown;
    const two = estimateMemory({ ...base, gpus: 2 }).breakdown;
    expect(two.weights).toBeCloseTo(one.weights / 2);
    expect(two.overhead).toBe(one.overhead);
    expect(TABLE1_CALIBRATION.gpus70b).toBe(2);
  });

  it('gives small numbers for the tiny presets', () => {
    const nano = estimateMemory({
      shape: presetShape('nano'),
      method: 'full',
      batch: 8,
      seq: 32,
      precision: 'fp32',
      overheadBytes: 0,
    });
    expect(nano.params).toBeGreaterThan(40_000);
    expect(nano.peakBytes).toBeLessThan(50 * 2 ** 20);
    expect(nano.breakdown.activations).toBeGreaterThan(0);
  });
});
