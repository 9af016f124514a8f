/**
 * Runs table benchmark: 10,000 runs (200 sweeps of 50) seeded through the real write path (createRun,
 * ingestEvents) into a real SQLite file (WAL) in a temp folder, then the `/runs` page's query (lib/queries/
 * runs-table.ts) timed with filters, a sort and chosen columns, as the page asks for it.
 *
 *   npx tsx bench/runs-table.ts [--quick]
 *
 * Prints each figure beside its goal and writes bench/results/runs-table-<date>[-quick].json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setAnnotations } from '../lib/annotations';
import { EventBuilder, insertRun, insertSweep, tempDatabase } from '../lib/ingest/testing';
import { ingestEvents } from '../lib/ingest/write';
import { type RunsTableQuery, runsTable } from '../lib/queries/runs-table';
import { median, table } from './lib/stats';

const quick = process.argv.includes('--quick');
const RUNS = 10_000;
const PER_SWEEP = 50;
const GOAL_MS = 100;
const store = tempDatabase('layerlab-bench-runs-table-');
const { sqlite } = store.conn;
const KINDS = ['lisa', 'lisa', 'lisa', 'full', 'lora'] as const;
const STATUSES = 18; // one run in 18 is left queued, the rest finish

const t0 = performance.now();
for (let s = 0; s < RUNS / PER_SWEEP; s++) {
  const sweepId = `s${s}`;
  insertSweep(sqlite, sweepId, `sweep ${s}`, new Date(Date.UTC(2026, 0, 1) + s * 3_600_000).toISOString());
  if (s % 10 === 0) setAnnotations(sqlite, 'sweep', sweepId, { tags: ['paper'], note: `sweep ${s} for the paper` });
  for (let i = 0; i < PER_SWEEP; i++) {
    const n = s * PER_SWEEP + i;
    const kind = KINDS[n % KINDS.length];
    const id = `r${n}`;
    const lr = [1e-4, 3e-4, 1e-3][n % 3];
    insertRun(sqlite, {
      id,
      sweepId,
      kind,
      label: `${kind} γ=${(n % 4) + 1} seed ${n % 3}`,
      seed: n % 3,
      config: { method: kind, lr, gamma: (n % 4) + 1, interval: [5, 20, 60][n % 3], preset: 'nano', steps: 40 },
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    });
    if (n % STATUSES === 0) continue;
    const b = new EventBuilder();
    const final = 2 + ((n * 7919) % 1000) / 1000;
    const events = [b.started()];
    for (let step = 1; step <= 40; step += 4) {
      events.push(b.metrics(step, { 'train/loss': final + 4 / step, tokens_per_s: 900 + (n % 200) }));
    }
    events.push(b.metrics(40, { 'mem/peak_bytes': (40 + (n % 30)) * 2 ** 20 }));
    for (const step of [10, 20, 30, 40]) events.push(b.eval(step, { 'eval/loss': final + 1 / step }));
    events.push(b.finished(40, { tokens_per_s: 950 + (n % 100) }));
    ingestEvents(sqlite, id, events);
  }
}
const seedS = (performance.now() - t0) / 1000;
console.error(`  seeded ${RUNS.toLocaleString('en')} runs in ${seedS.toFixed(1)} s`);

const figures: { name: string; value: number; unit: string; goal?: string; ok?: boolean; note?: string }[] = [];
const COLUMNS = ['eval/loss', 'eval/loss:best', 'config.lr', 'config.gamma', 'tokens_per_s', 'mem/peak_bytes'];
const CASES: [string, RunsTableQuery][] = [
  ['no filter, newest first, 6 columns', { columns: COLUMNS }],
  [
    'status + method + config filter, sort by best eval/loss',
    {
      status: ['finished'],
      method: ['lisa'],
      where: 'config.lr<=0.0003',
      sort: 'eval/loss:best',
      dir: 'asc',
      columns: COLUMNS,
    },
  ],
  [
    'metric filter, sort by final eval/loss',
    { where: 'eval/loss<2.5', sort: 'eval/loss', dir: 'asc', columns: COLUMNS },
  ],
  ['sort by a config key, 6 columns', { sort: 'config.lr', dir: 'desc', columns: COLUMNS }],
  ['tag + text search, sort by peak memory', { tags: ['paper'], q: 'γ=2', sort: 'mem/peak_bytes', columns: COLUMNS }],
];
for (const [name, query] of CASES) {
  const reps = quick ? 5 : 20;
  let total = 0;
  runsTable(sqlite, query);
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    total = runsTable(sqlite, query).total;
    ms.push(performance.now() - start);
  }
  const p50 = median(ms);
  figures.push({
    name: `runs table at ${RUNS.toLocaleString('en')} runs: ${name} (p50)`,
    value: p50,
    unit: 'ms',
    goal: `<= ${GOAL_MS} ms`,
    ok: p50 <= GOAL_MS,
    note: `${total.toLocaleString('en')} matching runs, first 100 returned; max ${Math.max(...ms).toFixed(1)} ms`,
  });
  console.error(`  ${name}: ${p50.toFixed(1)} ms (${total} matches)`);
}

console.log(
  `\nLayerLab runs table benchmark${quick ? ' (--quick)' : ''} — ${os.cpus()[0]?.model ?? 'cpu'} × ` +
    `${os.cpus().length}, Node ${process.version}; seeding took ${seedS.toFixed(1)} s\n`,
);
console.log(
  table(
    ['figure', 'measured', 'goal', ''],
    figures.map((f) => [
      f.name,
      `${f.value.toLocaleString('en', { maximumFractionDigits: 1 })} ${f.unit}`,
      f.goal ?? '',
      f.ok ? 'ok' : 'MISSED',
    ]),
  ),
);
for (const f of figures) console.log(`  ${f.name}: ${f.note}`);

const outDir = path.join(process.cwd(), 'bench', 'results');
fs.mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, `runs-table-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
const json = { benchmark: 'runs-table', quick, date: new Date().toISOString(), node: process.version, figures };
fs.writeFileSync(out, `${JSON.stringify({ ...json, cpu: os.cpus()[0]?.model, cores: os.cpus().length }, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
store.close();
