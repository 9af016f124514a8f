/**
 * `npm run reproduce [-- --quick] [-- --model DIR] [-- --report-only] [--home DIR] [--url URL] [--spec FILE]
 * [--out FILE]`: the LISA paper's claims tested at small scale (docs/reproduce.md). Starts a LayerLab server on the
 * data home (or uses the one at --url, which must serve that data home),
 * submits the shipped spec (reproduce/full.yaml, or reproduce/quick.yaml), shows progress with an ETA, waits,
 * and writes the report (docs/reproduction.md, .html beside it, and the claim rows as .json) from the API's
 * own tables and norms. `--report-only` writes the report again from the data home alone.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { renderSvg } from '../app/components/echarts';
import { freePort } from '../e2e/support/server';
import { eta, formatDuration } from '../lib/format';
import { fromJson, toJson } from '../lib/protocol/json';
import { MODEL_PRESETS, type Preset, shortLoraTargets } from '../lib/protocol/config';
import { type LoraTarget, presetShape } from '../lib/protocol/inventory';
import type { AblationTable } from '../lib/queries/table';
import { buildClaims, type RunNorms } from '../lib/reproduce/claims';
import { loraInitNorms } from '../lib/reproduce/lora-init';
import { type Figure2, type Provenance, reportHtml, reportMarkdown } from '../lib/reproduce/report';
import { type HfShape, readHfConfig } from '../trainer/hf/config';
import { inventoryShape } from '../trainer/hf/inventory';
import { buildIsStale, nextBin, root } from './build-state';

const FINAL = new Set(['finished', 'failed', 'diverged', 'cancelled']);
const PYTHON = process.env.LAYERLAB_PYTHON || '/usr/bin/python3';

interface Args {
  quick: boolean;
  reportOnly: boolean;
  model: string | null;
  home: string;
  spec: string;
  /** --spec: a spec other than the shipped ones. */
  custom: boolean;
  out: string;
  /** A server already serving `home` (else one is started). */
  url: string | null;
}

function usage(message: string): never {
  console.error(`layerlab reproduce: ${message}`);
  console.error(
    'usage: npm run reproduce -- [--quick] [--model DIR] [--report-only] [--home DIR] [--url URL] [--spec FILE] ' +
      '[--out FILE]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const valued = new Set(['--model', '--home', '--spec', '--out', '--url']);
  const flags = new Set(['--quick', '--report-only']);
  const got: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (flags.has(a)) got[a] = '1';
    else if (valued.has(a)) {
      if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) usage(`${a} needs a value`);
      got[a] = argv[++i];
    } else usage(`unknown argument ${a}`);
  }
  const quick = got['--quick'] === '1';
  const scale = quick ? 'quick' : 'full';
  const model = got['--model'] ? path.resolve(got['--model']) : null;
  if (model && !fs.existsSync(path.join(model, 'config.json'))) usage(`--model ${model}: no config.json there`);
  const spec = path.resolve(got['--spec'] ?? path.join(root, 'reproduce', `${scale}.yaml`));
  if (!fs.existsSync(spec)) usage(`no such spec: ${spec}`);
  return {
    quick,
    reportOnly: got['--report-only'] === '1',
    model,
    home: path.resolve(got['--home'] ?? path.join(root, '.layerlab', `reproduce-${scale}${model ? '-model' : ''}`)),
    spec,
    custom: got['--spec'] !== undefined,
    out: path.resolve(got['--out'] ?? path.join(root, 'docs', 'reproduction.md')),
    url: got['--url']?.replace(/\/+$/, '') ?? null,
  };
}

const scaleName = (a: Args) => (a.quick ? 'quick' : 'full');

/**
 * `next start` on a free loopback port and the data home, in its own process group (stopped at exit). `model`:
 * the --model folder, which this server may read (added to LAYERLAB_DATA_DIRS); a server given by --url keeps
 * its own allowed folders.
 */
async function startServer(home: string, model: string | null): Promise<{ url: string; stop: () => void }> {
  const { stale, why } = buildIsStale();
  if (stale) {
    console.error(`reproduce: building the app (${why})…`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    const build = spawnSync(nextBin, ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env });
    if (build.status !== 0) throw new Error('the build failed; see the output above');
  }
  fs.mkdirSync(home, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(home, 'reproduce-server.log'), 'a');
  const child: ChildProcess = spawn(nextBin, ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: root,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      LAYERLAB_HOME: home,
      LAYERLAB_ADMIN_TOKEN: '',
      NEXT_TELEMETRY_DISABLED: '1',
      ...(model ? { LAYERLAB_DATA_DIRS: [process.env.LAYERLAB_DATA_DIRS, model].filter(Boolean).join(':') } : {}),
    },
  });
  fs.closeSync(log);
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stop();
  throw new Error(`the server did not start; see ${path.join(home, 'reproduce-server.log')}`);
}

async function api<T>(url: string, route: string, init?: RequestInit, tries = 3): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${url}${route}`, init);
  } catch (e) {
    // A kept-alive socket the server closed while this process was busy fails once; a new one does not.
    if (tries <= 1) throw e;
    await new Promise((r) => setTimeout(r, 500));
    return api<T>(url, route, init, tries - 1);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: ${res.status} ${text.slice(0, 500)}`);
  return (res.headers.get('content-type') ?? '').includes('json') ? fromJson<T>(text) : (text as T);
}

interface SweepRun {
  id: string;
  kind: string;
  status: string;
  label: string;
  seed: number | null;
  config: Record<string, unknown>;
  totalSteps: number | null;
  lastStep: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}
interface Sweep {
  id: string;
  name: string;
  createdAt: string;
  runs: SweepRun[];
}

/** The suite's spec, with --model's folder in place of the preset and its pretrain. */
function specFor(a: Args): Record<string, unknown> {
  const spec = parse(fs.readFileSync(a.spec, 'utf8')) as Record<string, unknown>;
  if (!a.model) return spec;
  const { pretrain: _pretrain, ...rest } = spec;
  return { ...rest, name: `${spec.name}-model`, model: { path: a.model } };
}

async function waitFor(url: string, sweepId: string, started: number): Promise<Sweep> {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let lastEnded = -1;
  for (;;) {
    const sweep = await api<Sweep>(url, `/api/sweeps/${sweepId}`);
    const total = sweep.runs.reduce((s, r) => s + (r.totalSteps ?? 0), 0);
    const done = sweep.runs.reduce((s, r) => s + (FINAL.has(r.status) ? (r.totalSteps ?? 0) : (r.lastStep ?? 0)), 0);
    const ended = sweep.runs.filter((r) => FINAL.has(r.status)).length;
    const left = eta(new Date(started).toISOString(), done, total);
    const line =
      `reproduce: ${ended}/${sweep.runs.length} runs, ${total ? Math.floor((100 * done) / total) : 0} % of steps, ` +
      `${formatDuration(Date.now() - started)} so far` +
      (left === null ? '' : `, about ${formatDuration(left)} left`);
    if (tty) process.stderr.write(`\r${line}\u001b[K`);
    else if (Date.now() - lastLine > 15_000 || ended !== lastEnded) {
      console.error(line);
      lastLine = Date.now();
    }
    lastEnded = ended;
    if (ended === sweep.runs.length) {
      if (tty) process.stderr.write('\n');
      return sweep;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** PyTorch's ms per step on the preset's shape (bench/torch_gpt_bench.py); null without Debian's torch. */
function torchYardstick(config: Record<string, unknown>): { fullMs: number; lisaMs: number; version: string } | null {
  const preset = config.preset as Preset | undefined;
  if (!preset || !(preset in MODEL_PRESETS) || config.model_path) return null;
  const p = MODEL_PRESETS[preset];
  const args = ['--d', p.d, '--layers', p.layers, '--heads', p.heads, '--vocab', p.vocab];
  const shape = [...args, '--seq', config.seq ?? p.ctx, '--batch', config.batch ?? 8, '--steps', 10].map(String);
  const env = { ...process.env, OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined };
  const res = spawnSync(PYTHON, [path.join(root, 'bench', 'torch_gpt_bench.py'), ...shape], { encoding: 'utf8', env });
  if (res.status !== 0) {
    console.error(`reproduce: no PyTorch yardstick (${PYTHON}: ${(res.stderr || '').trim().split('\n').pop()})`);
    return null;
  }
  const lines = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { mode: string; ms_median: number; peer: string });
  const ms = (mode: string) => lines.find((l) => l.mode === mode)?.ms_median ?? NaN;
  return { fullMs: ms('full'), lisaMs: ms('lisa'), version: lines[0]?.peer ?? 'pytorch' };
}

/**
 * The --model folder a run trained (its config's `model_path`) and the folder's shape, read again from its
 * config.json; the shape is null when the folder is gone (a report written later from the data home alone).
 */
function modelFolder(c: Record<string, unknown>): { path: string; shape: HfShape | null } | null {
  if (typeof c.model_path !== 'string') return null;
  try {
    return { path: c.model_path, shape: readHfConfig(c.model_path).shape };
  } catch {
    return { path: c.model_path, shape: null };
  }
}

function scaleNote(spec: Record<string, unknown>, sweep: Sweep): string {
  const fine = sweep.runs.filter((r) => r.kind !== 'pretrain');
  const base = sweep.runs.find((r) => r.kind === 'pretrain');
  const c = fine[0]?.config ?? {};
  const folder = modelFolder(c);
  const model = folder ? `the model in ${folder.path}` : `the \`${c.preset}\` preset`;
  const dims = folder
    ? folder.shape && { ...folder.shape, name: `${folder.shape.architecture}, ` }
    : typeof c.preset === 'string' && c.preset in MODEL_PRESETS
      ? { ...MODEL_PRESETS[c.preset as Preset], name: '' }
      : null;
  const shape = dims ? ` (${dims.name}d = ${dims.d}, ${dims.layers} blocks, vocabulary ${dims.vocab})` : '';
  const data = (spec.data as { preset?: string; path?: string } | undefined)?.preset ?? 'the spec’s data';
  return (
    `${model}${shape}${base ? `, pretrained ${base.totalSteps} steps on LayerLab's pretrain text` : ''}, then ` +
    `${fine.length} fine-tuning runs of ${c.steps} steps (batch ${c.batch}, sequence ${c.seq}) on the \`${data}\` ` +
    'data preset, scored by eval loss on held-out records. The paper fine-tunes GPT-2 (124 M) to LLaMA-2-70B on ' +
    'Alpaca-GPT4 and scores MT-Bench, MMLU and more, on GPUs; its memory figures are GPU memory, ours a CPU ' +
    "trainer's high-water mark."
  );
}

async function report(url: string, home: string, a: Args): Promise<void> {
  const metaFile = path.join(home, 'reproduce.json');
  if (!fs.existsSync(metaFile)) throw new Error(`${home} holds no reproduction (no reproduce.json): run it first`);
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as {
    provenance: Provenance;
    torch: { fullMs: number; lisaMs: number; version: string } | null;
  };
  const id = meta.provenance.sweepId;
  const sweep = await api<Sweep>(url, `/api/sweeps/${id}`);
  const table = (metric: string) =>
    api<AblationTable>(url, `/api/sweeps/${id}/table?metric=${encodeURIComponent(metric)}&select=eval/loss`);
  const [evalTable, memoryTable, stepTable] = await Promise.all([
    table('eval/loss'),
    table('mem/peak_bytes'),
    table('step_ms:mean'),
  ]);
  const tableMarkdown = await api<string>(url, `/api/sweeps/${id}/table?metric=eval/loss&format=md`);
  const norms = await api<{ runs: RunNorms[] }>(url, `/api/sweeps/${id}/norms?quantity=trainable&agg=mean`);
  const step0 = await api<{ runs: RunNorms[] }>(url, `/api/sweeps/${id}/norms?quantity=trainable&agg=step&step=0`);
  const loraRun = sweep.runs.find((r) => r.kind === 'lora');
  const c = loraRun?.config ?? {};
  const preset = c.preset as Preset | undefined;
  const folder = modelFolder(c);
  const targets = shortLoraTargets((c.lora_targets as string[] | undefined) ?? []);
  // A model folder's adapters per block follow its layout (GPT-2's fused c_attn is one adapter for q, k and v).
  const initShape = folder ? folder.shape && inventoryShape(folder.shape) : preset ? presetShape(preset) : null;
  const loraInit = loraRun && initShape ? loraInitNorms(initShape, Number(c.rank), targets as LoraTarget[]) : null;
  const claims = buildClaims({
    evalTable,
    memoryTable,
    stepTable,
    norms: norms.runs,
    loraInit,
    torch: meta.torch,
  });
  const rowNorms = (method: string, from = norms.runs) => {
    const row = evalTable.baselines.find((b) => b.method === method);
    return from.filter((n) => row?.runIds.includes(n.runId));
  };
  const full = rowNorms('full');
  const groups = (full[0] ?? norms.runs[0])?.groups.map((g) => g.group) ?? [];
  const avg = (rs: RunNorms[], g: string) => {
    const xs = rs.map((r) => r.groups.find((x) => x.group === g)?.value ?? NaN).filter(Number.isFinite);
    return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
  };
  const figure2: Figure2 = {
    groups,
    full: groups.map((g) => avg(full, g)),
    lora: groups.map((g) => avg(rowNorms('lora'), g)),
    loraStep0: groups.map((g) => avg(rowNorms('lora', step0.runs), g)),
    loraInit: groups.map((g) => loraInit?.find((x) => x.group === g)?.norm ?? null),
    loraLabel: `LoRA r=${c.rank} α=${c.alpha} on ${((c.lora_targets as string[]) ?? []).join(', ')}`,
  };
  const inputs = { provenance: meta.provenance, claims, figure2, tableMarkdown, evalTable };
  fs.mkdirSync(path.dirname(a.out), { recursive: true });
  fs.writeFileSync(a.out, reportMarkdown(inputs));
  const stem = a.out.replace(/\.md$/, '');
  fs.writeFileSync(
    `${stem}.html`,
    reportHtml(inputs, (o, w, h) => renderSvg(o, w, h)),
  );
  fs.writeFileSync(`${stem}.json`, `${toJson({ provenance: meta.provenance, claims }, 2)}\n`);
  console.log(`reproduce: wrote ${path.relative(process.cwd(), a.out)} (+ .html, .json)`);
  for (const r of claims) console.log(`  ${r.id.padEnd(3)} ${r.verdict.text.padEnd(26)} ${r.claim}`);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const server = a.url ? { url: a.url, stop: () => {} } : await startServer(a.home, a.model);
  if (a.reportOnly) {
    await report(server.url, a.home, a);
    return;
  }
  const spec = specFor(a);
  const load0 = os.loadavg()[0];
  const started = Date.now();
  const created = await api<{ id: string; runs: unknown[] }>(server.url, '/api/sweeps', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  console.error(`reproduce: sweep ${created.id} (${created.runs.length} runs) on ${a.home}, server ${server.url}`);
  const sweep = await waitFor(server.url, created.id, started);
  const failed = sweep.runs.filter((r) => r.status !== 'finished');
  if (failed.length) console.error(`reproduce: ${failed.length} runs did not finish: ${failed.map((r) => r.label)}`);
  const last = Math.max(...sweep.runs.map((r) => Date.parse(r.finishedAt ?? '') || Date.now()));
  const fineConfig = sweep.runs.find((r) => r.kind === 'full')?.config ?? {};
  const torch = torchYardstick(fineConfig);
  const cpus = os.cpus();
  const provenance: Provenance = {
    scale: `${a.custom ? `custom (${path.basename(a.spec)})` : scaleName(a)}${a.model ? ', model folder' : ''}`,
    sweepId: sweep.id,
    sweepName: sweep.name,
    scaleNote: scaleNote(spec, sweep),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(last).toISOString(),
    wallSeconds: (last - started) / 1000,
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    load: [load0, os.loadavg()[0]],
    node: process.versions.node,
    command: ['npm run reproduce --', ...process.argv.slice(2)].join(' '),
  };
  fs.writeFileSync(path.join(a.home, 'reproduce.json'), `${JSON.stringify({ provenance, torch }, null, 2)}\n`);
  await report(server.url, a.home, a);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`layerlab reproduce: ${e.message}`);
    process.exit(1);
  },
);
