/**
 * Helpers for the fault suite: read a server's SQLite file (read-only, beside the live server) and a run's
 * events file, and compare the two.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';

export function openDb(home: string): Database.Database {
  return new Database(path.join(home, 'layerlab.db'), { readonly: true, fileMustExist: true });
}

export function post(
  url: string,
  body: string,
  type = 'application/yaml',
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
}

export interface FileEvent {
  seq: number;
  type: string;
  step?: number;
  values?: Record<string, unknown>;
  groups?: Record<string, unknown>;
  modules?: Record<string, unknown>;
  reason?: string;
  resumedFrom?: number;
}

/** Complete lines of a run's events.ndjson, parsed. */
export function fileEvents(dir: string): FileEvent[] {
  const text = fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FileEvent);
}

/** What one run's events file holds versus what the database stored for it: equal, or the test fails. */
export function expectDbMatchesFile(
  db: Database.Database,
  runId: string,
  dir: string,
): { points: number; steps: number } {
  const events = fileEvents(dir);
  const seqs = events.map((e) => e.seq);
  expect(seqs, `run ${runId}: seq in the file is 0..n-1, each once`).toEqual(seqs.map((_, i) => i));
  const metricSteps = events.filter((e) => e.type === 'metrics').map((e) => e.step!);
  expect(new Set(metricSteps).size, `run ${runId}: no metrics step twice in the file`).toBe(metricSteps.length);

  const head = db.prepare('SELECT last_seq AS lastSeq FROM runs WHERE id = ?').get(runId) as { lastSeq: number };
  expect(head.lastSeq, `run ${runId}: last_seq`).toBe(seqs.length - 1);

  const stored = db
    .prepare(
      `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ` +
        `'train/loss' ORDER BY p.step`,
    )
    .pluck()
    .all(runId) as number[];
  expect(stored, `run ${runId}: stored train/loss steps equal the file's, each once`).toEqual(
    [...metricSteps].sort((a, b) => a - b),
  );

  // Every value of every metrics/eval event is one point; every norm entry one norm row.
  const expectedPoints = new Set<string>();
  for (const e of events) {
    if ((e.type === 'metrics' || e.type === 'eval') && e.values)
      for (const k of Object.keys(e.values)) expectedPoints.add(`${k}@${e.step}`);
  }
  const points = db
    .prepare('SELECT count(*) FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ?')
    .pluck()
    .get(runId) as number;
  expect(points, `run ${runId}: points in the database = distinct (key, step) values in the file`).toBe(
    expectedPoints.size,
  );
  const expectedNorms = new Set<string>();
  for (const e of events) {
    if (e.type !== 'layer_norms') continue;
    for (const k of Object.keys({ ...e.groups, ...e.modules })) expectedNorms.add(`${k}@${e.step}`);
  }
  const norms = db
    .prepare('SELECT count(*) FROM norm_points n JOIN norm_groups g ON g.id = n.group_id WHERE g.run_id = ?')
    .pluck()
    .get(runId) as number;
  expect(norms, `run ${runId}: norm rows = norm entries in the file`).toBe(expectedNorms.size);
  return { points, steps: metricSteps.length };
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | null | undefined | false,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
