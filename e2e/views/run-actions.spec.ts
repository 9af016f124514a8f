/**
 * View 8's controls on a real trainer: Cancel stops a running run (SIGTERM, checkpoint first), Resume queues
 * it again and it finishes from its checkpoint — every step stored once.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ownServer } from '../support/server';

const SPEC = `name: cancel-resume
method: grid
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 5, batch: 4 }
train: { steps: 400, batch: 4, seq: 16, eval_every: 100, eval_records: 32, norms_every: 50, checkpoint_every: 20 }
parameters:
  gamma:    { value: 1 }
  interval: { value: 10 }
seeds: [1]
`;

test('Cancel stops a running run from its page, and Resume finishes it from its checkpoint', async ({ page }) => {
  test.setTimeout(240_000);
  const server = await ownServer();
  try {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: SPEC,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { runs } = (await res.json()) as { runs: { id: string; kind: string }[] };
    const runId = runs.find((r) => r.kind === 'lisa')!.id;

    await page.goto(`${server.url}/runs/${runId}`);
    const status = page.getByTestId('run-status');
    await expect(status).toHaveText('running', { timeout: 120_000 });
    // Past the first checkpoint, so the resume has one to start from.
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { lastStep: number | null }).lastStep ??
          0,
        { timeout: 60_000 },
      )
      .toBeGreaterThan(25);
    await page.getByTestId('run-cancel').click();
    await expect(status).toHaveText('cancelled', { timeout: 30_000 });
    await expect(page.getByTestId('run-cancel')).toHaveCount(0);

    await page.getByTestId('run-resume').click();
    await expect(status).toHaveText('finished', { timeout: 180_000 });
    // Two launches of the trainer: the first and the resume.
    await expect(page.getByTestId('run-attempts')).toHaveText('2');
    const run = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { lastStep: number; dir: string };
    expect(run.lastStep).toBe(400);
    // The second start continued from a checkpoint instead of starting over.
    const starts = fs
      .readFileSync(path.join(run.dir, 'events.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; resumedFrom?: number })
      .filter((e) => e.type === 'run_started');
    expect(starts).toHaveLength(2);
    expect(starts[1].resumedFrom).toBeGreaterThanOrEqual(20);

    const db = new Database(path.join(server.home, 'layerlab.db'), { readonly: true });
    const steps = (
      db
        .prepare(
          `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ` +
            `'train/loss' ORDER BY p.step`,
        )
        .all(runId) as { step: number }[]
    ).map((r) => r.step);
    db.close();
    expect(steps).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  } finally {
    await server.kill('SIGTERM');
  }
});
