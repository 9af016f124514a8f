// `epochs` in a sweep spec: the planner derives each run's steps from the trainer's count of training records, the
// dry run shows them, and specs that give steps and epochs (or epochs over endless data) are refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitRecords } from '../../trainer/data/records';
import { dryRun } from './dry-run';
import { formatProblems, parseSweepSpec } from './spec';
import type { SweepSpec } from './types';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-epochs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spec(body: object): SweepSpec {
  const r = parseSweepSpec(
    JSON.stringify({ name: 'epochs', model: { preset: 'nano' }, parameters: { gamma: { value: 1 } }, ...body }),
    'application/json',
  );
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.spec;
}

function problems(body: object) {
  const r = parseSweepSpec(
    JSON.stringify({ name: 'epochs', model: { preset: 'nano' }, parameters: { gamma: { value: 1 } }, ...body }),
    'application/json',
  );
  return r.ok ? [] : r.problems;
}

describe('epochs in a sweep', () => {
  it('text: steps from the windows of seq + 1 tokens in the training part of the corpus; shown in the dry run', () => {
    const d = dryRun(
      spec({ data: { preset: 'pretrain' }, train: { epochs: 0.01, batch: 4, grad_accum: 2, seq: 16 } }),
      [],
      1,
    );
    // The pretrain corpus: whole paragraphs up to 2^19 bytes (524,354), 10% held out at the end (52,435), so
    // 471,919 training bytes = 27,759 windows of 17 bytes.
    const steps = Math.ceil((0.01 * 27759) / 8);
    expect(steps).toBe(35);
    expect(d.runs.map((r) => [r.config.epochs, r.config.steps, r.records])).toEqual([[0.01, steps, 27759]]);
    expect(d.totals.steps).toBe(steps);
    expect(d.assumptions).toContain(
      'steps: epochs 0.01 × 27759 training records ÷ (batch 4 × grad_accum 2) = 35 steps',
    );
  });

  it('instruction records: steps from the records outside the held-out split, per baseline batch', () => {
    const records = Array.from({ length: 80 }, (_, i) => ({ instruction: `Double ${i}.`, output: `${2 * i}` }));
    const file = path.join(tmp, 'double.jsonl');
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
    const train = splitRecords('double.jsonl', records).train.length;
    expect(train).toBeLessThan(80);
    const d = dryRun(
      spec({ data: { path: file }, train: { epochs: 2, batch: 8 }, baselines: [{ method: 'full', batch: 4 }] }),
      [],
      1,
    );
    expect(d.runs.map((r) => [r.kind, r.config.steps])).toEqual([
      ['lisa', Math.ceil((2 * train) / 8)],
      ['full', Math.ceil((2 * train) / 4)],
    ]);
  });

  it('refuses steps with epochs, warmup with warmup_ratio, and epochs over the endless instruct preset', () => {
    expect(problems({ train: { steps: 10, epochs: 1 }, data: { preset: 'pretrain' } })).toEqual([
      { path: 'train.epochs', message: 'give steps or epochs, not both (train.steps is set)' },
    ]);
    expect(
      problems({ train: { steps: 10 }, data: { preset: 'pretrain' }, baselines: [{ method: 'full', epochs: 1 }] }),
    ).toEqual([{ path: 'baselines[0].epochs', message: 'give steps or epochs, not both (train.steps is set)' }]);
    expect(problems({ train: { warmup: 5 }, parameters: { warmup_ratio: { values: [0.1] } } })).toEqual([
      { path: 'parameters.warmup_ratio', message: 'give warmup or warmup_ratio, not both (train.warmup is set)' },
    ]);
    expect(problems({ train: { epochs: 1 } })).toEqual([
      {
        path: 'train.epochs',
        message: 'epochs needs data of a known size: the instruct preset draws new records at every step; give steps',
      },
    ]);
  });
});
