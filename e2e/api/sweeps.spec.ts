import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';
import { ENDED, nanoDemoYaml, waitForSweep } from '../support/specs';

let server: OwnServer;
test.beforeAll(async () => {
  server = await ownServer();
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

const post = (url: string, body: string, type = 'application/yaml') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

test('a spec with three mistakes is refused with all three listed, and nothing is stored', async () => {
  const bad = nanoDemoYaml()
    .replace('gamma:    { values: [1, 2] }', 'gamma:    { values: [1, 9] }')
    .replace('interval: { values: [2, 5] }', 'interval: { values: [0, 5] }')
    .replace('method: grid', 'method: grid\nflavour: spicy');
  const res = await post(`${server.url}/api/sweeps`, bad);
  expect(res.status).toBe(400);
  const body = (await res.json()) as { problems: { path: string; message: string }[] };
  expect(body.problems).toHaveLength(3);
  const paths = body.problems.map((p) => p.path).join(' ');
  expect(paths).toContain('parameters.gamma.values[1]');
  expect(paths).toContain('parameters.interval.values[0]');
  expect(paths).toContain('flavour');
  const db = new Database(path.join(server.home, 'layerlab.db'), { readonly: true });
  expect((db.prepare('SELECT count(*) AS n FROM sweeps').get() as { n: number }).n).toBe(0);
  db.close();
});

test('the nano demo sweep runs to the end and its ablation table has every cell in four formats', async () => {
  test.setTimeout(600_000);
  const dry = await post(`${server.url}/api/sweeps?dryRun=1`, nanoDemoYaml());
  expect(dry.status).toBe(200);
  const plan = (await dry.json()) as { runs: unknown[]; totals: { runs: number } };
  expect(plan.runs).toHaveLength(12);

  const res = await post(`${server.url}/api/sweeps`, nanoDemoYaml());
  expect(res.status).toBe(201);
  const { id, runs } = (await res.json()) as { id: string; runs: { id: string; kind: string }[] };
  expect(runs.filter((r) => r.kind === 'pretrain')).toHaveLength(1);
  expect(runs).toHaveLength(13);

  const done = await waitForSweep(server.url, id, 540_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
  expect(done.map((r) => `${r.kind}:${r.status}`)).toEqual(done.map((r) => `${r.kind}:finished`));

  const table = (await (await fetch(`${server.url}/api/sweeps/${id}/table?metric=eval/loss`)).json()) as {
    cells: { gamma: number; interval: number; stats: { n: number; mean: number } }[];
    baselines: { method: string; stats: { n: number } }[];
  };
  expect(table.cells).toHaveLength(4);
  for (const cell of table.cells) {
    expect(cell.stats.n).toBe(2);
    expect(Number.isFinite(cell.stats.mean)).toBe(true);
  }
  expect(table.cells.map((c) => `${c.gamma}x${c.interval}`).sort()).toEqual(['1x2', '1x5', '2x2', '2x5']);
  expect(table.baselines.map((b) => b.method).sort()).toEqual(['full', 'lora']);
  expect(table.baselines.every((b) => b.stats.n === 2)).toBe(true);

  const csv = await fetch(`${server.url}/api/sweeps/${id}/table?metric=eval/loss&format=csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const csvLines = (await csv.text()).trim().split('\n');
  expect(csvLines).toHaveLength(1 + 4 + 2);
  const md = await (await fetch(`${server.url}/api/sweeps/${id}/table?format=md`)).text();
  expect(md).toMatch(/\|.*γ.*\|/);
  expect(md).toContain('± ');
  const latex = await (await fetch(`${server.url}/api/sweeps/${id}/table?format=latex`)).text();
  expect(latex).toContain('\\begin{tabular}');
  expect(latex).toContain('\\pm');

  const bad = await fetch(`${server.url}/api/sweeps/${id}/table?format=xlsx`);
  expect(bad.status).toBe(400);
});

/** Steps of every `metrics` event in a run's events file, and the file's seq list. */
function fileSteps(dir: string): { steps: number[]; seqs: number[] } {
  const lines = fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean);
  const events = lines.map((l) => JSON.parse(l) as { seq: number; type: string; step?: number });
  return { steps: events.filter((e) => e.type === 'metrics').map((e) => e.step!), seqs: events.map((e) => e.seq) };
}

test('SIGKILL of the server mid-sweep loses nothing and duplicates nothing', async () => {
  test.setTimeout(600_000);
  const own = await ownServer();
  try {
    const spec = nanoDemoYaml()
      .replace('name: nano-demo', 'name: restart')
      .replace('steps: 10, batch: 4', 'steps: 30, batch: 4');
    const res = await post(`${own.url}/api/sweeps`, spec);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitForSweep(own.url, id, 240_000, (rs) => rs.some((r) => r.kind !== 'pretrain' && r.status === 'running'));
    await own.kill('SIGKILL');
    await own.start();
    const done = await waitForSweep(own.url, id, 540_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
    expect(done.every((r) => r.status === 'finished')).toBe(true);

    const db = new Database(path.join(own.home, 'layerlab.db'), { readonly: true });
    const stored = db.prepare(
      `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ` +
        `'train/loss' ORDER BY p.step`,
    );
    for (const run of done) {
      const { steps, seqs } = fileSteps(run.dir!);
      expect(seqs, `run ${run.id}: seq in the file is 0..n-1`).toEqual(seqs.map((_, i) => i));
      expect(new Set(steps).size, `run ${run.id}: no step twice in the file`).toBe(steps.length);
      const dbSteps = (stored.all(run.id) as { step: number }[]).map((r) => r.step);
      expect(dbSteps, `run ${run.id}: stored steps equal the file's`).toEqual([...steps].sort((a, b) => a - b));
      expect(run.lastSeq).toBe(seqs.length - 1);
    }
    db.close();
  } finally {
    await own.kill('SIGTERM');
  }
});
