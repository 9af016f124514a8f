/**
 * Eight trainers writing at once (LAYERLAB_SLOTS=8), two external runs posting events over HTTP, and a
 * reader hammering the read API the whole time: no 5xx, no SQLITE_BUSY / "database is locked" anywhere in
 * the server log, and every event in every file stored exactly once.
 */
import { expect, test } from '@playwright/test';
import { encodeEvent, PROTOCOL_VERSION, type RunEvent } from '../../lib/protocol';
import { ownServer } from '../support/server';
import { ENDED, waitForSweep, type RunJson } from '../support/specs';
import { expectDbMatchesFile, openDb, post } from './support';

const SPEC = `name: eight-at-once
method: grid
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 2, batch: 4, seq: 16 }
train: { steps: 25, batch: 2, seq: 16, eval_every: 5, eval_records: 32, norms_every: 1, checkpoint_every: 10 }
parameters:
  gamma:    { values: [1, 2] }
  interval: { values: [2, 5] }
seeds: [1, 2]
`;

function externalBatch(seq0: number, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const seq = seq0 + i;
    const e =
      seq === 0
        ? {
            v: PROTOCOL_VERSION,
            seq,
            time: new Date().toISOString(),
            type: 'run_started',
            config: { steps: 2000 },
            backend: { name: 'cpu', gpu: false, device: 'cpu' },
            model: { params: 1, trainableParams: 1, groups: ['embed'] },
          }
        : {
            v: PROTOCOL_VERSION,
            seq,
            time: new Date().toISOString(),
            type: 'metrics',
            step: seq,
            values: { 'train/loss': 1 / seq, lr: 1e-3 },
          };
    lines.push(encodeEvent(e as RunEvent));
  }
  return `${lines.join('\n')}\n`;
}

test(
  'eight trainers + HTTP writers + a hammering reader: no busy errors, no 5xx, no lost or doubled ' + 'events',
  async () => {
    test.setTimeout(300_000);
    const server = await ownServer({ LAYERLAB_SLOTS: '8' });
    try {
      const res = await post(`${server.url}/api/sweeps`, SPEC);
      expect(res.status).toBe(201);
      const { id, runs } = (await res.json()) as { id: string; runs: { id: string; kind: string }[] };
      expect(runs.filter((r) => r.kind === 'lisa')).toHaveLength(8);

      // Two external runs fed over HTTP at the same time, in batches of 20 (each batch sent twice: a retry).
      const externals = await Promise.all(
        [0, 1].map(async (i) => {
          const r = await post(`${server.url}/api/runs`, JSON.stringify({ label: `ext-${i}` }), 'application/json');
          expect(r.status).toBe(201);
          return (await r.json()) as { id: string; token: string };
        }),
      );

      let done = false;
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      let reads = 0;
      let maxRunning = 0;
      const count = (status: number, what: string) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) failures.push(`${status} ${what}`);
      };
      const reader = (async () => {
        const ids = runs.map((r) => r.id);
        let i = 0;
        while (!done) {
          const run = ids[i++ % ids.length];
          const urls = [
            `/api/sweeps/${id}`,
            `/api/runs/${run}`,
            `/api/runs/${run}/series?key=train/loss&points=50`,
            `/api/runs/${run}/norms?quantity=weight&agg=mean`,
            `/api/sweeps/${id}/table?metric=eval/loss`,
            '/api/health',
          ];
          const got = await Promise.all(
            urls.map(async (u) => {
              const r = await fetch(server.url + u);
              count(r.status, u);
              const text = await r.text();
              if (u === `/api/sweeps/${id}` && r.ok) {
                const running = (JSON.parse(text) as { runs: RunJson[] }).runs.filter(
                  (x) => x.status === 'running',
                ).length;
                maxRunning = Math.max(maxRunning, running);
              }
              return r.status;
            }),
          );
          reads += got.length;
        }
      })();
      const writers = externals.map(async (ext) => {
        for (let b = 0; b < 50; b++) {
          const body = externalBatch(b * 20, 20);
          for (let attempt = 0; attempt < 2; attempt++) {
            const r = await fetch(`${server.url}/api/runs/${ext.id}/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ext.token}`, 'content-type': 'application/x-ndjson' },
              body,
            });
            count(r.status, `events ${ext.id}`);
            const out = (await r.json()) as { stored: number; duplicates: number };
            expect(out).toMatchObject(attempt === 0 ? { stored: 20, duplicates: 0 } : { stored: 0, duplicates: 20 });
          }
        }
      });

      let finished: RunJson[];
      try {
        await Promise.all(writers);
        finished = await waitForSweep(server.url, id, 280_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
      } finally {
        done = true;
        await reader;
      }
      console.log(
        `concurrency: ${reads} reads + 200 event batches; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `at most ${maxRunning} runs running at once`,
      );
      expect(failures).toEqual([]);
      expect(
        [...statuses.keys()].every((s) => s === 200),
        JSON.stringify(Object.fromEntries(statuses)),
      ).toBe(true);
      expect(maxRunning, 'all eight trainers ran at the same time').toBe(8);
      expect(finished.map((r) => r.status)).toEqual(finished.map(() => 'finished'));

      const db = openDb(server.home);
      let points = 0;
      for (const r of finished) points += expectDbMatchesFile(db, r.id, r.dir!).points;
      for (const ext of externals) {
        const steps = db
          .prepare(
            `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ` +
              `'train/loss' ORDER BY p.step`,
          )
          .pluck()
          .all(ext.id) as number[];
        expect(steps).toEqual(Array.from({ length: 999 }, (_, i) => i + 1));
        expect(db.prepare('SELECT last_seq FROM runs WHERE id = ?').pluck().get(ext.id)).toBe(999);
      }
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      console.log(
        `concurrency: ${points} points from ${finished.length} trainer runs checked against their files; lost 0, ` +
          `duplicated 0`,
      );
      const log = server.log();
      expect(log).not.toMatch(/SQLITE_BUSY|database is locked|unexpected error|tick failed/i);
    } finally {
      await server.kill('SIGTERM');
    }
  },
);
