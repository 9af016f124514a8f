// Every run of a sweep is scored on one evaluation set, whatever its batch size or seed: planned by the real
// planner, trained by the real trainer process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvent, type EventOf, type RunEvent } from '../protocol';
import { planSweep } from './plan';
import { parseSweepSpec } from './spec';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-evalset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SPEC = `
name: eval-set
method: grid
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 1, batch: 2 }
train: { steps: 1, eval_every: 1, norms_every: 1, checkpoint_every: 1 }
parameters:
  gamma: { value: 1 }
  batch: { values: [2, 4] }
seeds: [1, 2]
baselines: []
`;

/** Runs the trainer as the scheduler does: config.json in the run's folder, --config and --out. */
function train(name: string, config: Record<string, unknown>): RunEvent[] {
  const dir = path.join(tmp, name);
  const file = path.join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...config, out: dir, backend: 'wasm' }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--config', file], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);
}

describe('the evaluation set of a sweep', () => {
  it('is the same for every batch size and seed: same hash, same step-0 scores', () => {
    const parsed = parseSweepSpec(SPEC, 'application/yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const plan = planSweep(parsed.spec);
    train('pretrain', { ...plan.pretrain!.config });
    const runs = plan.runs.map((run) => ({
      run,
      events: train(run.key, { ...run.config, base: path.join(tmp, 'pretrain') }),
    }));
    expect(runs.map(({ run }) => [run.config.batch, run.seed])).toEqual([
      [2, 1],
      [4, 1],
      [2, 2],
      [4, 2],
    ]);
    const started = runs.map(
      ({ events }) => events.find((e): e is EventOf<'run_started'> => e.type === 'run_started')!,
    );
    const sets = started.map((e) => e.evalSet);
    expect(sets[0]).toEqual({ records: 256, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const s of sets) expect(s).toEqual(sets[0]);
    // Same base weights before the first update: every run must score exactly the same at step 0.
    const first = runs.map(
      ({ events }) => events.find((e): e is EventOf<'eval'> => e.type === 'eval' && e.step === 0)!.values,
    );
    for (const v of first) expect(v).toEqual(first[0]);
    expect(Object.keys(first[0]).sort()).toEqual(['eval/accuracy', 'eval/loss', 'eval/ppl']);
  }, 600_000);
});
