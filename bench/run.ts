/**
 * The benchmark suite: trainer, matmul peak, store, pages, the runs table and a sweep's wall time, one after
 * another in one run, each in its own child process (`node --import tsx`, so its memory and heap are its own;
 * its peak RSS is read from /proc). Collects the JSON each part writes to bench/results/, prints one table of
 * every figure beside its goal with PASS/MISS and measured ÷ goal, and writes
 * bench/results/summary-<date>[-quick].json.
 * A part that fails is reported and the rest still run.
 *
 *   npm run bench [-- --quick] [-- --only store,pages] [-- --skip trainer]
 *
 * Benchmarks print figures; they are not tests (the machines are noisy) and are not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { table } from './lib/stats';
import { trainerGoals } from './lib/trainer-report';

const root = path.resolve(path.dirname(process.argv[1]), '..');
const resultsDir = path.join(root, 'bench', 'results');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const listArg = (flag: string): string[] | null => {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] ? argv[i + 1].split(',').map((s) => s.trim()) : null;
};
const only = listArg('--only');
const skip = listArg('--skip') ?? [];

interface Part {
  name: string;
  script: string;
  args: string[];
  timeoutS: number;
}
const PARTS: Part[] = [
  {
    name: 'trainer',
    script: 'bench/trainer.ts',
    args: quick ? ['--quick', '--all-gammas'] : ['--all-gammas'],
    timeoutS: quick ? 900 : 3600,
  },
  {
    name: 'trainer-small',
    script: 'bench/trainer.ts',
    args: quick ? ['--preset', 'small', '--quick'] : ['--preset', 'small', '--all-gammas'],
    timeoutS: quick ? 900 : 3600,
  },
  { name: 'peak', script: 'bench/peak.ts', args: quick ? ['--quick'] : [], timeoutS: 300 },
  { name: 'store', script: 'bench/store.ts', args: quick ? ['--quick'] : [], timeoutS: quick ? 900 : 3600 },
  { name: 'pages', script: 'bench/pages.ts', args: quick ? ['--quick'] : [], timeoutS: 1200 },
  { name: 'runs-table', script: 'bench/runs-table.ts', args: quick ? ['--quick'] : [], timeoutS: 600 },
  { name: 'sweep-wall', script: 'bench/sweep-wall.ts', args: quick ? ['--quick'] : [], timeoutS: 2400 },
].filter((p) => (only ? only.includes(p.name) : true) && !skip.includes(p.name));

interface PartResult {
  name: string;
  ok: boolean;
  exitCode: number | null;
  seconds: number;
  peakRssMiB: number | null;
  resultFile: string | null;
  error?: string;
}

/** VmHWM (peak resident set) of a live process in MiB, or null. */
function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The newest bench/results/<name>-*.json written since `since` (ms epoch). */
function newestResult(name: string, since: number): string | null {
  if (!fs.existsSync(resultsDir)) return null;
  const files = fs
    .readdirSync(resultsDir)
    .filter((f) => f.startsWith(`${name}-`) && /^\d/.test(f.slice(name.length + 1)) && f.endsWith('.json'))
    .map((f) => ({ f: path.join(resultsDir, f), t: fs.statSync(path.join(resultsDir, f)).mtimeMs }))
    .filter((x) => x.t >= since - 1000)
    .sort((a, b) => b.t - a.t);
  return files[0]?.f ?? null;
}

function runPart(p: Part): Promise<PartResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stderr.write(`\n=== ${p.name}: node --import tsx ${p.script} ${p.args.join(' ')}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', p.script, ...p.args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let rss: number | null = null;
    let tail = '';
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const poll = setInterval(() => {
      if (child.pid) rss = peakRss(child.pid) ?? rss;
    }, 200);
    const timer = setTimeout(() => {
      process.stderr.write(`\n${p.name}: timed out after ${p.timeoutS} s, stopping it\n`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, p.timeoutS * 1000);
    const done = (exitCode: number | null, error?: string) => {
      clearInterval(poll);
      clearTimeout(timer);
      const resultFile = newestResult(p.name, started);
      const ok = exitCode === 0 && resultFile !== null;
      const why =
        error ??
        (exitCode !== 0
          ? `exit ${exitCode}: ${tail.trim().split('\n').slice(-3).join(' / ')}`
          : resultFile
            ? undefined
            : 'no result JSON written');
      resolve({
        name: p.name,
        ok,
        exitCode,
        seconds: (Date.now() - started) / 1000,
        peakRssMiB: rss,
        resultFile: resultFile && path.relative(root, resultFile),
        ...(why ? { error: why } : {}),
      });
    };
    child.on('error', (e) => done(null, e.message));
    child.on('exit', (code, signal) => done(code ?? null, signal ? `killed by ${signal}` : undefined));
  });
}

// ------------------------------------------------------------------------------------------- summary

interface Row {
  part: string;
  name: string;
  value: number | null;
  unit: string;
  op?: '>=' | '<=';
  target?: number;
  status: string;
  ratio: number | null;
  note?: string;
}

function goalRow(
  part: string,
  name: string,
  value: number | null,
  unit: string,
  op?: '>=' | '<=',
  target?: number,
  note?: string,
): Row {
  let status = '';
  let ratio: number | null = null;
  if (op && target !== undefined) {
    if (value === null || !Number.isFinite(value)) status = 'NOT RUN';
    else {
      ratio = value / target;
      status = (op === '>=' ? value >= target : value <= target) ? 'PASS' : 'MISS';
    }
  }
  return { part, name, value, unit, op, target, status, ratio, note };
}

interface StoreLike {
  figures: { name: string; value: number; unit: string; goal?: string; note?: string }[];
}

function figureRows(part: string, json: StoreLike): Row[] {
  return json.figures.map((f) => {
    const g = f.goal ? /^(>=|<=)\s*([\d,.]+)/.exec(f.goal) : null;
    return goalRow(
      part,
      f.name,
      f.value,
      f.unit,
      g ? (g[1] as '>=' | '<=') : undefined,
      g ? Number(g[2].replace(/,/g, '')) : undefined,
      f.note,
    );
  });
}

interface TrainerJson {
  config: { preset: string; shape: { d: number; layers: number; ctx: number }; batch: number; seq: number };
  layerlab: {
    label: string;
    params?: number;
    stepMs?: number;
    tokensPerS?: number;
    mem: Record<string, number>;
    failure?: string;
  }[];
  pytorch: { mode: string; ms_median: number; tokens_per_s: number }[] | null;
  pytorchNote: string | null;
  ratios: Record<string, number | null | undefined>;
}

/** Model FLOPs per trained token: 6·N (forward + backward of every weight) + 12·L·d·T (attention scores). */
export function flopsPerToken(params: number, layers: number, d: number, seq: number): number {
  return 6 * params + 12 * layers * d * seq;
}

interface PeakJson extends StoreLike {
  peakGflops: number;
  cpuPeakGflops: number | null;
}

/** Goals by preset: bench/lib/trainer-report.ts trainerGoals. */
function trainerRows(json: TrainerJson, peak: PeakJson | null): Row[] {
  const rows: Row[] = [];
  const { preset, shape, seq } = json.config;
  const goals = trainerGoals(preset);
  const goal = (op: '>=' | '<=', x: number | null): ['>=' | '<=' | undefined, number | undefined] =>
    x === null ? [undefined, undefined] : [op, x];
  for (const r of json.layerlab) {
    const note = r.failure ? `FAILED: ${r.failure}` : undefined;
    rows.push(goalRow('trainer', `${preset} ${r.label}: ms/step`, r.stepMs ?? null, 'ms', undefined, undefined, note));
    rows.push(goalRow('trainer', `${preset} ${r.label}: tokens/s`, r.tokensPerS ?? null, 'tokens/s'));
    const peak = r.mem['mem/wasm_heap_bytes'] ?? r.mem['mem/peak_bytes'];
    if (peak !== undefined)
      rows.push(
        goalRow(
          'trainer',
          `${preset} ${r.label}: peak memory (${r.mem['mem/wasm_heap_bytes'] !== undefined ? 'wasm heap' : 'tensors'})`,
          peak / 2 ** 20,
          'MiB',
        ),
      );
  }
  for (const t of json.pytorch ?? [])
    rows.push(goalRow('trainer', `PyTorch ${t.mode}: tokens/s (same shapes, 1 thread)`, t.tokens_per_s, 'tokens/s'));
  const r = (k: string) => json.ratios[k] ?? null;
  rows.push(
    goalRow(
      'trainer',
      `${preset} full: LayerLab tokens/s ÷ PyTorch`,
      r('full tokens/s LayerLab/PyTorch'),
      '×',
      ...goal('>=', goals.fullVsTorch),
      json.pytorch ? undefined : (json.pytorchNote ?? 'PyTorch not run'),
    ),
  );
  rows.push(
    goalRow(
      'trainer',
      `${preset} LISA γ=2 step time ÷ full`,
      r('lisa2/full step time (LayerLab)'),
      '×',
      ...goal('<=', goals.lisaOverFull),
    ),
  );
  const lora = r('lora/full step time (LayerLab)');
  if (lora !== null) rows.push(goalRow('trainer', `${preset} LoRA step time ÷ full`, lora, '×'));
  const full = json.layerlab.find((x) => x.label === 'full' && !x.failure);
  if (full?.tokensPerS && full.params) {
    const achieved = (full.tokensPerS * flopsPerToken(full.params, shape.layers, shape.d, seq)) / 1e9;
    rows.push(goalRow('trainer', `${preset} full: model FLOP/s (6N + 12·L·d·T per token)`, achieved, 'GFLOP/s'));
    if (peak?.peakGflops)
      rows.push(
        goalRow(
          'trainer',
          `${preset} full: MFU vs measured wasm matmul peak`,
          (100 * achieved) / peak.peakGflops,
          '%',
          undefined,
          undefined,
          `peak ${peak.peakGflops.toFixed(1)} GFLOP/s`,
        ),
      );
    if (peak?.cpuPeakGflops)
      rows.push(
        goalRow(
          'trainer',
          `${preset} full: MFU vs this core's native matmul peak (torch, 1 thread)`,
          (100 * achieved) / peak.cpuPeakGflops,
          '%',
          undefined,
          undefined,
          `peak ${peak.cpuPeakGflops.toFixed(1)} GFLOP/s`,
        ),
      );
    const torchFull = json.pytorch?.find((t) => t.mode === 'full');
    if (torchFull && peak?.cpuPeakGflops) {
      const theirs = (torchFull.tokens_per_s * flopsPerToken(full.params, shape.layers, shape.d, seq)) / 1e9;
      rows.push(
        goalRow(
          'trainer',
          `${preset} full: PyTorch MFU vs the same native peak`,
          (100 * theirs) / peak.cpuPeakGflops,
          '%',
        ),
      );
    }
  }
  return rows;
}

function machine() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }));
    if (m) model = m[1].trim();
  } catch {
    /* no lscpu */
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* keep */
  }
  return {
    nproc,
    cpu: model,
    memGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

const fmt = (v: number | null): string => {
  if (v === null || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return v.toLocaleString('en', { maximumFractionDigits: a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3 });
};

async function main(): Promise<void> {
  const started = new Date();
  const mach = machine();
  console.error(
    `LayerLab benchmark suite${quick ? ' (--quick)' : ''}: ${PARTS.map((p) => p.name).join(', ')} — ` +
      `${mach.nproc} cores, ${mach.cpu}, ${mach.memGiB.toFixed(0)} GiB, Node ${mach.node}`,
  );
  const parts: PartResult[] = [];
  for (const p of PARTS) parts.push(await runPart(p));

  const read = <T>(name: string): T | null => {
    const f = parts.find((x) => x.name === name)?.resultFile;
    return f ? (JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as T) : null;
  };
  const rows: Row[] = [];
  const peak = read<PeakJson>('peak');
  for (const name of ['trainer', 'trainer-small']) {
    const trainer = read<TrainerJson>(name);
    if (trainer) rows.push(...trainerRows(trainer, peak));
  }
  if (peak) rows.push(...figureRows('peak', peak));
  const store = read<StoreLike>('store');
  if (store) rows.push(...figureRows('store', store));
  const pages = read<StoreLike>('pages');
  if (pages) rows.push(...figureRows('pages', pages));
  const runsTable = read<StoreLike>('runs-table');
  if (runsTable) rows.push(...figureRows('runs-table', runsTable));
  const sweepWall = read<StoreLike>('sweep-wall');
  if (sweepWall) rows.push(...figureRows('sweep-wall', sweepWall));

  console.log(
    `\nLayerLab benchmarks${quick ? ' (--quick)' : ''}, ${started.toISOString()} — ${mach.nproc} cores, ${mach.cpu}, ` +
      `${mach.memGiB.toFixed(0)} GiB, Node ${mach.node}\n`,
  );
  console.log(
    table(
      ['part', 'figure', 'measured', 'goal', 'measured÷goal', ''],
      rows.map((r) => [
        r.part,
        r.name.length > 78 ? `${r.name.slice(0, 77)}…` : r.name,
        `${fmt(r.value)} ${r.unit}`,
        r.op ? `${r.op} ${fmt(r.target ?? null)} ${r.unit}` : '',
        r.ratio === null ? '' : `${r.ratio.toFixed(2)}`,
        r.status,
      ]),
    ),
  );
  console.log(
    `\n${table(
      ['part', 'result', 'seconds', 'peak RSS', 'file'],
      parts.map((p) => [
        p.name,
        p.ok ? 'ok' : `FAILED (${p.error ?? 'unknown'})`.slice(0, 120),
        p.seconds.toFixed(0),
        p.peakRssMiB === null ? '—' : `${p.peakRssMiB.toFixed(0)} MiB`,
        p.resultFile ?? '—',
      ]),
    )}`,
  );
  const goals = rows.filter((r) => r.op);
  const missed = goals.filter((r) => r.status !== 'PASS');
  console.log(
    `\ngoals: ${goals.length - missed.length} of ${goals.length} ` +
      `PASS${missed.length ? `; not met: ${missed.map((r) => `${r.name} (${r.status})`).join('; ')}` : ''}`,
  );

  fs.mkdirSync(resultsDir, { recursive: true });
  const out = path.join(resultsDir, `summary-${started.toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(
    out,
    JSON.stringify({ benchmark: 'summary', quick, date: started.toISOString(), machine: mach, parts, rows }, null, 2) +
      '\n',
  );
  console.log(`wrote ${path.relative(root, out)}`);
  if (parts.some((p) => !p.ok)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
