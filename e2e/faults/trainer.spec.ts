/**
 * Trainer faults against a real server: a trainer SIGKILLed mid-run is resumed from its last checkpoint
 * with every step stored exactly once; a trainer that keeps dying is retried a bounded number of times;
 * a diverging run ends `diverged` with its NaN visible as "NaN" in the API.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';
import { ENDED, waitForSweep } from '../support/specs';
import { expectDbMatchesFile, fileEvents, openDb, post, waitFor } from './support';

/** One LISA run on nano after a tiny pretrain; `train` is the YAML flow mapping of its settings. */
const spec = (name: string, train: string) => `name: ${name}
method: grid
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 2, batch: 4, seq: 16 }
train: ${train}
parameters:
  gamma:    { value: 1 }
  interval: { value: 5 }
seeds: [1]
`;

interface RunRow {
  id: string;
  status: string;
  pid: number | null;
  attempts: number;
  lastStep: number | null;
  dir: string;
  failureReason: string | null;
  failureMessage: string | null;
}

/** Launch a one-run LISA sweep; read its row straight from the server's database. */
async function launchLisaRun(server: OwnServer, name: string, train: string) {
  const res = await post(`${server.url}/api/sweeps`, spec(name, train));
  expect(res.status).toBe(201);
  const { runs } = (await res.json()) as { runs: { id: string; kind: string }[] };
  const runId = runs.find((r) => r.kind === 'lisa')!.id;
  const db = openDb(server.home);
  const select = db.prepare(
    `SELECT id, status, pid, attempts, last_step AS lastStep, dir, failure_reason AS failureReason, ` +
      `failure_message AS failureMessage
     FROM runs WHERE id = ?`,
  );
  return { runId, db, row: () => select.get(runId) as RunRow };
}

function isTrainerOf(pid: number, runId: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runId);
  } catch {
    return false;
  }
}

test('SIGKILL of a trainer mid-run: resumed from its last checkpoint, every step stored exactly once', async () => {
  test.setTimeout(180_000);
  const server = await ownServer();
  try {
    const { runId, db, row } = await launchLisaRun(
      server,
      'kill-trainer',
      '{ steps: 120, batch: 4, seq: 16, eval_every: 40, eval_records: 32, norms_every: 10, checkpoint_every: 5 }',
    );

    // Mid-run: past a few checkpoints, well before the end.
    const victim = await waitFor('the trainer to pass step 30', 120_000, () => {
      const r = row();
      return r.status === 'running' && r.pid && (r.lastStep ?? 0) >= 30 ? r : null;
    });
    expect(isTrainerOf(victim.pid!, runId), "the pid in the run row is that run's trainer").toBe(true);
    const checkpointsBefore = db
      .prepare('SELECT max(step) FROM checkpoints WHERE run_id = ?')
      .pluck()
      .get(runId) as number;
    expect(checkpointsBefore).toBeGreaterThanOrEqual(25);
    process.kill(victim.pid!, 'SIGKILL');

    const done = await waitFor(
      'the run to end',
      150_000,
      () => {
        const r = row();
        return ENDED.includes(r.status) ? r : null;
      },
      250,
    );
    expect(done.status, done.failureMessage ?? '').toBe('finished');
    expect(done.attempts, 'one resume after the kill').toBe(2);

    const events = fileEvents(done.dir);
    const starts = events.filter((e) => e.type === 'run_started');
    expect(starts).toHaveLength(2);
    // Resumed from the last checkpoint at or before the kill (a checkpoint every 5 steps).
    expect(starts[1].resumedFrom).toBeGreaterThanOrEqual(checkpointsBefore);
    expect(starts[1].resumedFrom! % 5).toBe(0);
    const { steps } = expectDbMatchesFile(db, runId, done.dir);
    expect(steps, 'every one of the 120 steps once').toBe(120);
    const stepsInDb = db
      .prepare(
        `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ` +
          `'train/loss' ORDER BY p.step`,
      )
      .pluck()
      .all(runId) as number[];
    expect(stepsInDb).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(server.log()).toContain(`trainer of run ${runId} died without finishing; resuming (attempt 2 of 3)`);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  } finally {
    await server.kill('SIGTERM');
  }
});

test('a trainer killed on every attempt: bounded retries (3 launches), then failed with a reason', async () => {
  test.setTimeout(180_000);
  const server = await ownServer();
  try {
    const { runId, db, row } = await launchLisaRun(
      server,
      'always-dies',
      '{ steps: 5000, batch: 4, seq: 16, eval_every: 1000, eval_records: 32, norms_every: 100, checkpoint_every: 2 }',
    );
    const killed = new Set<number>();
    const end = await waitFor(
      'the run to fail after its attempts',
      170_000,
      () => {
        const r = row();
        if (ENDED.includes(r.status)) return r;
        // Kill each new trainer once it has written a checkpoint (so each attempt is a genuine resume).
        if (
          r.status === 'running' &&
          r.pid &&
          !killed.has(r.pid) &&
          (r.lastStep ?? 0) >= 4 &&
          isTrainerOf(r.pid, runId)
        ) {
          killed.add(r.pid);
          process.kill(r.pid, 'SIGKILL');
        }
        return null;
      },
      100,
    );
    expect(killed.size).toBe(3);
    expect(end.status).toBe('failed');
    expect(end.attempts).toBe(3);
    expect(end.failureReason).toBe('error');
    expect(end.failureMessage).toContain('the trainer died 3 times without finishing');
    expectDbMatchesFile(db, runId, end.dir);
    db.close();
  } finally {
    await server.kill('SIGTERM');
  }
});

test('a diverging run (lr 1e20): status diverged, the NaN loss shown as "NaN" by the API', async () => {
  test.setTimeout(120_000);
  const server = await ownServer();
  try {
    const res = await post(
      `${server.url}/api/sweeps`,
      spec(
        'diverge',
        '{ steps: 200, batch: 4, seq: 16, lr: 1.0e+20, warmup: 0, eval_every: 100, eval_records: 32, ' +
          'norms_every: 10, checkpoint_every: 100 }',
      ),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const { id, runs } = (await res.json()) as { id: string; runs: { id: string; kind: string }[] };
    const runId = runs.find((r) => r.kind === 'lisa')!.id;
    const done = await waitForSweep(server.url, id, 110_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
    const run = done.find((r) => r.id === runId)!;
    expect(run.status).toBe('diverged');

    // The trainer really diverged: its last events are a non-finite loss and failed/diverged.
    const events = fileEvents(run.dir!);
    const failed = events.at(-1)!;
    expect(failed).toMatchObject({ type: 'failed', reason: 'diverged' });
    const lastLoss = events.filter((e) => e.type === 'metrics').at(-1)!.values!['train/loss'];
    expect(lastLoss).toBe('NaN');

    const raw = await (await fetch(`${server.url}/api/runs/${runId}`)).text();
    const body = JSON.parse(raw) as {
      status: string;
      failureReason: string;
      latest: Record<string, { step: number; value: unknown }>;
    };
    expect(body.status).toBe('diverged');
    expect(body.failureReason).toBe('diverged');
    expect(body.latest['train/loss'].value, raw.slice(0, 500)).toBe('NaN');
    expect(body.latest['train/loss'].step).toBe(failed.step);

    const series = await fetch(`${server.url}/api/runs/${runId}/series?key=train/loss&points=10000`);
    expect(series.status).toBe(200);
    const s = (await series.json()) as {
      buckets: { step?: number; first?: number; last?: number; mean: unknown; nanCount: number }[];
    };
    const last = s.buckets.at(-1)!;
    expect(last.nanCount).toBeGreaterThan(0);
    expect(last.mean).toBe('NaN');

    const db = openDb(server.home);
    expectDbMatchesFile(db, runId, run.dir!);
    db.close();
  } finally {
    await server.kill('SIGTERM');
  }
});
