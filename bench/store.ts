/**
 * Store benchmark: every figure is measured on data generated through the real write path (ingestEvents,
 * tailRun, the HTTP body parser) into a real SQLite file (WAL) in a temp folder.
 *
 *   npx tsx bench/store.ts [--quick]
 *
 * Prints each figure beside its goal and writes bench/results/store-<date>[-quick].json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeEvent, type NormEntry, type RunEvent } from '../lib/protocol';
import { parseEventsBody } from '../lib/ingest/http';
import { tailRun } from '../lib/ingest/tail';
import { EventBuilder, insertRun, insertSweep, seedAblationSweep, tempDatabase } from '../lib/ingest/testing';
import { ingestEvents } from '../lib/ingest/write';
import { listRecentRuns, listSweeps } from '../lib/queries/overview';
import { normAggregates, normMatrix } from '../lib/queries/norms';
import { seriesPoints } from '../lib/queries/series';
import { ablationTable } from '../lib/queries/table';
import { renderTable, TABLE_FORMATS } from '../lib/table-formats/table';
import { median, table } from './lib/stats';

const quick = process.argv.includes('--quick');
const store = tempDatabase('layerlab-bench-store-');
const { sqlite } = store.conn;
const figures: { name: string; value: number; unit: string; goal?: string; ok?: boolean; note?: string }[] = [];

function record(name: string, value: number, unit: string, goal?: { op: '>=' | '<='; target: number }, note?: string) {
  const ok = goal ? (goal.op === '>=' ? value >= goal.target : value <= goal.target) : undefined;
  figures.push({
    name,
    value,
    unit,
    goal: goal ? `${goal.op} ${goal.target.toLocaleString('en')} ${unit}` : undefined,
    ok,
    note,
  });
  console.error(`  ${name}: ${value.toLocaleString('en', { maximumFractionDigits: 2 })} ${unit}`);
}

/** Median and max wall time of `fn` in ms over `reps` runs after two warm-ups. */
function timed(fn: () => unknown, reps = 20): { p50: number; max: number } {
  fn();
  fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { p50: median(ms), max: Math.max(...ms) };
}

/**
 * Feed `events` through the write path in batches; points = metric values + norm rows written.
 * Also the process CPU time, a steadier figure than wall time when other work shares the cores.
 */
function ingestAll(
  runId: string,
  events: RunEvent[],
  batch = 1000,
): { seconds: number; cpuSeconds: number; points: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let points = 0;
  for (let i = 0; i < events.length; i += batch) {
    const r = ingestEvents(sqlite, runId, events.slice(i, i + batch));
    points += r.points + r.normPoints;
  }
  const cpu = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, points };
}

const GROUPS = ['embed', 'pos', ...Array.from({ length: 12 }, (_, i) => `block.${i}`), 'lnf', 'head'];
const MODULES = ['attn.q', 'attn.k', 'attn.v', 'attn.o', 'mlp.fc', 'mlp.proj', 'ln'];
const norm = (w: number, trained: boolean): NormEntry => ({
  weight: w,
  update: w / 100,
  trainable: w,
  ...(trained ? { grad: w / 1000 } : {}),
});

// 1. Ingest: metrics events with the trainer's 7 values, then a realistic mix, through ingestEvents.
console.error('ingest…');
{
  const steps = quick ? 40_000 : 200_000;
  insertRun(sqlite, { id: 'ingest-metrics' });
  const b = new EventBuilder();
  const events = [b.started(GROUPS)];
  for (let s = 0; s < steps; s++) {
    events.push(
      b.metrics(s, {
        'train/loss': 3 / (1 + s / 1000) + Math.random() * 0.01,
        lr: 3e-4,
        step_ms: 12 + Math.random(),
        tokens_per_s: 80_000,
        'mem/tensor_bytes': 5e7,
        'mem/peak_bytes': 9e7,
        'mem/rss_bytes': 3e8,
      }),
    );
  }
  const r = ingestAll('ingest-metrics', events);
  record('ingest points/s (metrics events, 7 values, batches of 1000)', r.points / r.seconds, 'points/s', {
    op: '>=',
    target: 1_000_000,
  });
  record('ingest points per CPU-second (same; load-independent)', r.points / r.cpuSeconds, 'points/s');
  record('ingest events/s (same)', events.length / r.seconds, 'events/s');

  insertRun(sqlite, { id: 'ingest-mixed' });
  const m = new EventBuilder();
  const mixed = [m.started(GROUPS)];
  for (let s = 0; s < steps / 4; s++) {
    mixed.push(
      m.metrics(s, { 'train/loss': Math.random(), lr: 3e-4, step_ms: 12, tokens_per_s: 80_000, 'mem/peak_bytes': 9e7 }),
    );
    if (s % 10 === 0)
      mixed.push(m.norms(s, Object.fromEntries(GROUPS.map((g, i) => [g, norm(100 + i, i % 5 === s % 5)]))));
    if (s % 50 === 0) mixed.push(m.eval(s, { 'eval/loss': Math.random(), 'eval/ppl': 10, 'eval/accuracy': 0.4 }));
    if (s % 20 === 0) mixed.push(m.period(s, s / 20, [s % 12, (s + 5) % 12]));
  }
  const rm = ingestAll('ingest-mixed', mixed);
  record('ingest events/s (mixed: metrics, norms every 10, evals, periods)', mixed.length / rm.seconds, 'events/s');

  // The file door: NDJSON on disk, tailed (includes JSON + zod parsing of every line).
  insertRun(sqlite, { id: 'ingest-tail' });
  const file = path.join(store.dir, 'events.ndjson');
  fs.writeFileSync(file, mixed.map((e) => `${encodeEvent(e)}\n`).join(''));
  let t0 = performance.now();
  for (let r2 = tailRun(store.conn, 'ingest-tail', file); r2.more; r2 = tailRun(store.conn, 'ingest-tail', file));
  record('tail events/s (file → parse → write path)', mixed.length / ((performance.now() - t0) / 1000), 'events/s');
  {
    // The file door with the trainer's metrics events only: points/s from bytes on disk to rows.
    insertRun(sqlite, { id: 'ingest-tail-metrics' });
    const metricsFile = path.join(store.dir, 'metrics.ndjson');
    fs.writeFileSync(metricsFile, events.map((e) => `${encodeEvent(e)}\n`).join(''));
    const t1 = performance.now();
    let points = 0;
    for (let more = true; more; ) {
      const r2 = tailRun(store.conn, 'ingest-tail-metrics', metricsFile);
      points += r2.points;
      more = r2.more;
    }
    record(
      'tail points/s (metrics events, 7 values: file → parse → write path)',
      points / ((performance.now() - t1) / 1000),
      'points/s',
    );
  }

  // The HTTP door: 1,000-line NDJSON bodies parsed and ingested.
  insertRun(sqlite, { id: 'ingest-http' });
  const bodies: string[] = [];
  for (let i = 0; i < mixed.length; i += 1000)
    bodies.push(
      mixed
        .slice(i, i + 1000)
        .map(encodeEvent)
        .join('\n'),
    );
  t0 = performance.now();
  for (const body of bodies) ingestEvents(sqlite, 'ingest-http', parseEventsBody(body).events);
  record(
    'HTTP body events/s (parse → write path, 1000-line bodies)',
    mixed.length / ((performance.now() - t0) / 1000),
    'events/s',
  );
}

// 2. A 1,000,000-point series (one key, one event per step) and its downsampled reads.
console.error('1M-point series…');
{
  insertRun(sqlite, { id: 'long' });
  const b = new EventBuilder();
  const events: RunEvent[] = [b.started()];
  for (let s = 0; s < 1_000_000; s++) {
    events.push(b.metrics(s, { 'train/loss': s === 777_777 ? 1e3 : 2 + Math.sin(s / 5000) + Math.random() * 0.1 }));
  }
  // Timed: the write path only (the events are built above, as a trainer or client would have sent them).
  const r = ingestAll('long', events, 2000);
  record('ingest points/s (1-value events, batches of 2000)', r.points / r.seconds, 'points/s', {
    op: '>=',
    target: 1_000_000,
  });
  record('ingest points per CPU-second (same; load-independent)', r.points / r.cpuSeconds, 'points/s');
  const q = timed(() => seriesPoints(sqlite, 'long', 'train/loss', { points: 500 }));
  const spike = seriesPoints(sqlite, 'long', 'train/loss', { points: 500 }).buckets.some((x) => x.max === 1e3);
  record(
    '500-point query on a 1M-point series (p50)',
    q.p50,
    'ms',
    { op: '<=', target: 50 },
    `max ${q.max.toFixed(1)} ms; spike kept: ${spike}`,
  );
  const zoom = timed(() => seriesPoints(sqlite, 'long', 'train/loss', { points: 500, from: 100_000, to: 250_000 }));
  record(
    '500-point query, 150k-step zoom (worst level case, p50)',
    zoom.p50,
    'ms',
    { op: '<=', target: 50 },
    `max ${zoom.max.toFixed(1)} ms`,
  );
  const wide = timed(() => seriesPoints(sqlite, 'long', 'train/loss', { points: 2000 }));
  record('2000-point query on the 1M-point series (p50)', wide.p50, 'ms');
}

// 3. Layer norms of a 10,000-step run, recorded every step: 16 groups (+ 84 modules in the full run).
console.error('norm matrix…');
{
  insertRun(sqlite, { id: 'norms' });
  const b = new EventBuilder();
  const events = [b.started(GROUPS)];
  for (let s = 0; s < 10_000; s++) {
    const groups = Object.fromEntries(GROUPS.map((g, i) => [g, norm(100 + i + s / 1000, i % 4 === s % 4)]));
    const modules = quick
      ? undefined
      : Object.fromEntries(GROUPS.slice(2, 14).flatMap((g) => MODULES.map((m) => [`${g}/${m}`, norm(10, false)])));
    events.push(b.norms(s, groups, modules));
  }
  const r = ingestAll('norms', events, 500);
  const rows = quick ? 160_000 : 1_000_000;
  record('ingest norm rows/s', rows / r.seconds, 'rows/s');
  const m = timed(() => normMatrix(sqlite, 'norms', 'weight', { points: 500 }), 10);
  record(
    'norm matrix 16 groups × 10,000 steps → 500 columns (p50)',
    m.p50,
    'ms',
    undefined,
    `max ${m.max.toFixed(1)} ms; 160k rows read`,
  );
  const mean = timed(() => normAggregates(sqlite, 'norms', 'weight', 'mean'), 10);
  record('norm "mean over steps" per group, 10,000 steps (p50)', mean.p50, 'ms');
  const at = timed(() => normAggregates(sqlite, 'norms', 'update', 'step', 5_000), 10);
  record('norm "at step t" per group (p50)', at.p50, 'ms');
}

// 4. The ablation table over a sweep of 1,000 runs (20 γ × K cells × 48 seeds + full and LoRA × 20 seeds).
console.error('ablation table…');
{
  const t0 = performance.now();
  const seeds = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
  const n = seedAblationSweep(sqlite, {
    sweepId: 'big',
    gammas: [1, 2, 4, 8],
    intervals: [1, 5, 20, 50, 100],
    seeds: seeds(48),
    baselineSeeds: seeds(20),
    steps: quick ? 40 : 100,
    evalEvery: 10,
    baselines: [{ kind: 'full' }, { kind: 'lora', rank: 8, alpha: 16 }],
    finalLoss: (r) => 2 + (r.gamma ?? 3) / 10 + (r.interval ?? 0) / 1000 + Math.sin(r.seed) / 100,
  }).length;
  console.error(`  seeded ${n} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const metric of ['eval/loss', 'eval/loss:best', 'wall_time']) {
    const q = timed(() => ablationTable(sqlite, 'big', metric), 10);
    record(
      `ablation table, ${n} runs, metric ${metric} (p50)`,
      q.p50,
      'ms',
      { op: '<=', target: 200 },
      `max ${q.max.toFixed(1)} ms`,
    );
  }
  const t = ablationTable(sqlite, 'big', 'eval/loss')!;
  const r = timed(() => TABLE_FORMATS.map((f) => renderTable(t, f)), 10);
  record('render table in all four formats (p50)', r.p50, 'ms');
}

// 5. The run list with 10,000 runs (100 sweeps), statuses set by the write path.
console.error('run list…');
{
  const existing = sqlite.prepare('SELECT count(*) FROM runs').pluck().get() as number;
  const insertMany = sqlite.transaction(() => {
    for (let i = existing; i < 10_000; i++) {
      const sweep = `list-${i % 99}`;
      if (i - existing < 99) insertSweep(sqlite, sweep, sweep, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString());
      insertRun(sqlite, {
        id: `list-${i}`,
        sweepId: sweep,
        kind: 'lisa',
        gamma: 2,
        interval: 20,
        seed: i,
        createdAt: new Date(Date.UTC(2026, 0, 2, 0, 0, i)).toISOString(),
      });
    }
  });
  insertMany();
  for (let i = existing; i < 10_000; i++) {
    const b = new EventBuilder();
    const events = [b.started()];
    if (i % 3 !== 0) events.push(b.finished(10));
    ingestEvents(sqlite, `list-${i}`, events);
  }
  const total = sqlite.prepare('SELECT count(*) FROM runs').pluck().get() as number;
  const recent = timed(() => listRecentRuns(store.conn.db, 50));
  record(
    `run list: 50 most recent of ${total.toLocaleString('en')} runs (p50)`,
    recent.p50,
    'ms',
    { op: '<=', target: 100 },
    `max ${recent.max.toFixed(1)} ms`,
  );
  const sweeps = timed(() => listSweeps(store.conn.db, 50));
  record(
    `sweep list with status counts, ${total.toLocaleString('en')} runs (p50)`,
    sweeps.p50,
    'ms',
    { op: '<=', target: 100 },
    `max ${sweeps.max.toFixed(1)} ms`,
  );
}

const pointRows = sqlite.prepare('SELECT count(*) FROM points').pluck().get() as number;
sqlite.pragma('wal_checkpoint(TRUNCATE)');
const bytes = fs.statSync(store.conn.file).size;
record(
  'database size per stored point (all tables / points)',
  bytes / pointRows,
  'B',
  undefined,
  `${(bytes / 2 ** 20).toFixed(0)} MiB, ${pointRows.toLocaleString('en')} points`,
);

console.log(
  `\nLayerLab store benchmark${quick ? ' (--quick)' : ''} — ${os.cpus()[0]?.model ?? 'cpu'} × ` +
    `${os.cpus().length}, Node ${process.version}\n`,
);
console.log(
  table(
    ['figure', 'measured', 'goal', ''],
    figures.map((f) => [
      f.name,
      `${f.value.toLocaleString('en', { maximumFractionDigits: 1 })} ${f.unit}`,
      f.goal ?? '',
      f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED',
    ]),
  ),
);
for (const f of figures.filter((x) => x.note)) console.log(`  ${f.name}: ${f.note}`);

const outDir = path.join(process.cwd(), 'bench', 'results');
fs.mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, `store-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
fs.writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'store',
      quick,
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      figures,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
store.close();
