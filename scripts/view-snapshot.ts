/**
 * Saves what a running server answers for one sweep — the ablation table in every format and for several
 * metrics, the sweep's series, norms and periods, every run's detail, series, norms and keys, the HTML export —
 * one file per request, so two servers (two versions of the code on copies of one data home) can be compared
 * byte for byte with `diff -r`. Volatile parts are blanked: the export's timestamp and the chart renderer's
 * instance-numbered SVG ids and class names (`zr7-cls-42`, `zr7-c0`).
 *
 *   npx tsx scripts/view-snapshot.ts --url http://127.0.0.1:3000 --sweep <id> --out <folder> [--token <admin>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, sweep: { type: 'string' }, out: { type: 'string' }, token: { type: 'string' } },
});
if (!args.url || !args.sweep || !args.out) {
  console.error('usage: view-snapshot --url <server> --sweep <id> --out <folder> [--token <admin token>]');
  process.exit(2);
}
const base = args.url.replace(/\/$/, '');
const out = args.out;
const headers: Record<string, string> = args.token ? { authorization: `Bearer ${args.token}` } : {};

const TABLE_METRICS = ['eval/loss', 'eval/loss:best', 'eval/ppl', 'eval/accuracy', 'mem/peak_bytes', 'train/loss:min'];
const FORMATS = ['json', 'csv', 'md', 'latex'];
const SERIES_KEYS = ['train/loss', 'eval/loss', 'lr', 'grad_norm/all'];
const QUANTITIES = ['trainable', 'weight', 'update', 'grad'];

const VOLATILE_EXPORT = /exported [0-9: -]+ UTC|zr\d+-(cls-)?[a-z]?\d+/g;

async function get(p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + p, { headers });
  return { status: res.status, body: await res.text() };
}

let saved = 0;
async function save(p: string, blank?: RegExp): Promise<string> {
  const { status, body } = await get(p);
  const name = p.replace(/^\/api\//, '').replace(/[^A-Za-z0-9._=-]+/g, '_');
  writeFileSync(path.join(out, name), `${status}\n${blank ? body.replace(blank, '<blanked>') : body}`);
  saved++;
  return body;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const id = encodeURIComponent(args.sweep!);
  const sweep = JSON.parse(await save(`/api/sweeps/${id}`)) as { runs?: { id: string }[] };
  for (const metric of TABLE_METRICS)
    for (const format of FORMATS)
      await save(`/api/sweeps/${id}/table?metric=${encodeURIComponent(metric)}&format=${format}`);
  await save(`/api/sweeps/${id}/table?metric=eval/loss&select=train/loss:min&format=json`);
  for (const key of SERIES_KEYS) await save(`/api/sweeps/${id}/series?key=${encodeURIComponent(key)}&points=50`);
  for (const q of QUANTITIES)
    for (const agg of ['mean', 'last']) await save(`/api/sweeps/${id}/norms?quantity=${q}&agg=${agg}`);
  await save(`/api/sweeps/${id}/periods`);
  for (const view of ['', '/table', '/norms', '/robustness'])
    await save(`/api/export?path=${encodeURIComponent(`/sweeps/${args.sweep}${view}`)}`, VOLATILE_EXPORT);
  for (const run of sweep.runs ?? []) {
    const r = encodeURIComponent(run.id);
    await save(`/api/runs/${r}`);
    await save(`/api/runs/${r}/keys`);
    await save(`/api/runs/${r}/periods`);
    await save(`/api/runs/${r}/checkpoints`);
    for (const key of SERIES_KEYS) await save(`/api/runs/${r}/series?key=${encodeURIComponent(key)}&points=50`);
    for (const q of QUANTITIES) await save(`/api/runs/${r}/norms?quantity=${q}&agg=mean`);
    await save(`/api/runs/${r}/norms?quantity=update&agg=matrix&points=20`);
  }
  console.log(`${saved} responses saved under ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
