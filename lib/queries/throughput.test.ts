// Throughput in the ablation table and the memory & speed view: total tokens ÷ total time, never the mean
// of per-step rates (a few slow steps weigh little in a mean of rates but a lot in the time taken).
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../protocol';
import { ingestEvents } from '../ingest/write';
import { seedAblationSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { measuredRows } from '../views/measured';
import { ablationTable } from './table';

let t: TempDatabase;
afterEach(() => t?.close());

describe('tokens_per_s aggregation', () => {
  it("the table takes each run's total tokens ÷ total time from its summary", () => {
    t = tempDatabase();
    const sq = t.conn.sqlite;
    // Per-step rates 1000 + seed (mean 1001 for seed 1); the run's own figure says 640 (slow steps).
    seedAblationSweep(
      sq,
      {
        sweepId: 'tp',
        gammas: [1],
        intervals: [2],
        seeds: [1, 2],
        steps: 6,
        evalEvery: 3,
        baselines: [{ kind: 'full' }],
        finalLoss: () => 2,
      },
      (runId, events: RunEvent[]) => {
        const rate = 600 + 40 * Number(runId.at(-1));
        const summary = { tokens_per_s: rate, timed_tokens: 6000, timed_s: 6000 / rate };
        const out = events.map((e) => (e.type === 'finished' ? { ...e, summary: { ...e.summary, ...summary } } : e));
        ingestEvents(sq, runId, out);
      },
    );
    const table = ablationTable(sq, 'tp', 'tokens_per_s')!;
    expect(table.baselines[0].stats.mean).toBeCloseTo(660, 9);
    expect(table.cells[0].stats.mean).toBeCloseTo(660, 9);
    expect(table.metric.better).toBe('higher');
    // The mean of per-step rates is still there when asked for by name.
    expect(ablationTable(sq, 'tp', 'tokens_per_s:mean')!.baselines[0].stats.mean).toBe(1001.5);
  });

  it("the memory & speed view pools a setting's runs as Σ tokens ÷ Σ time", () => {
    const run = (tokens: number, seconds: number) => ({
      kind: 'full',
      config: { preset: 'nano' },
      backend: 'wasm',
      summary: { tokens_per_s: tokens / seconds, timed_tokens: tokens, timed_s: seconds },
    });
    // 1000 tokens in 1 s and 1000 tokens in 4 s: 2000 / 5 = 400 tokens/s (the mean of the rates would say 625).
    const [row] = measuredRows([run(1000, 1), run(1000, 4)]);
    expect(row.tokensPerS.mean).toBeCloseTo(400, 9);
    expect(row.tokensPerS.values).toEqual([1000, 250]);
  });
});
