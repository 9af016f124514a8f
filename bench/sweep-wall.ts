/**
 * Wall time of a fixed sweep on this machine, from submission to the last run's final state, through the real
 * server (`next start` on the production build) and real trainer processes, once per slot count, side by side in
 * one run: γ ∈ {1, 2} × K ∈ {2, 5} × seeds {1, 2}, full and LoRA (2 seeds each), on `mini`, 100 steps, after a
 * shared pretrain run. The slot counts alternate (1, 2, 1, 2 … with --repeat) so drift in the machine's load
 * falls on both.
 *
 *   npx tsx bench/sweep-wall.ts [--quick] [--slots 1,2] [--repeat N] [--build]
 *
 * --quick: 30 steps instead of 100 (the figures are then not the goal's sweep). Writes
 * bench/results/sweep-wall-<date>[-quick].json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownServer } from '../e2e/support/server';
import { ensureBuild } from './lib/next-build';
import { median, table } from './lib/stats';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const slotCounts = (opt('--slots') ?? '1,2').split(',').map(Number);
const repeat = Number(opt('--repeat') ?? 1);
const steps = quick ? 30 : 100;

const SPEC = `name: sweep-wall-bench
method: grid
model: { preset: mini }
data: { preset: instruct }
pretrain: { steps: 20, batch: 8 }
train: { steps: ${steps}, batch: 8, seq: 64, lr: 1.0e-3, eval_every: 50, norms_every: 10, checkpoint_every: 100 }
parameters:
  gamma:    { values: [1, 2] }
  interval: { values: [2, 5] }
seeds: [1, 2]
baselines:
  - { method: full }
  - { method: lora, rank: 8, alpha: 16, lr: 3.0e-3 }
`;

const FINAL = new Set(['finished', 'failed', 'cancelled', 'diverged']);

interface SweepRun {
  id: string;
  status: string;
  kind?: string;
}

/** One sweep on a fresh server with `slots` slots: seconds from submission to the last run's final state. */
async function once(slots: number): Promise<{ seconds: number; runs: number; failed: number }> {
  const server = await ownServer({ LAYERLAB_SLOTS: String(slots) });
  try {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', 'x-layerlab-request': '1' },
      body: SPEC,
    });
    if (res.status !== 201) throw new Error(`submission answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let last = '';
    for (;;) {
      const sweep = (await (await fetch(`${server.url}/api/sweeps/${id}`)).json()) as { runs: SweepRun[] };
      const done = sweep.runs.filter((r) => FINAL.has(r.status));
      const line = `  ${slots} slot(s): ${done.length}/${sweep.runs.length} runs ended`;
      if (line !== last) process.stderr.write(`${line} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      last = line;
      if (sweep.runs.length > 0 && done.length === sweep.runs.length) {
        const seconds = (performance.now() - t0) / 1000;
        return { seconds, runs: sweep.runs.length, failed: done.filter((r) => r.status !== 'finished').length };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await server.kill();
    fs.rmSync(server.home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(process.argv[1]), '..');
  process.chdir(root);
  ensureBuild(root);
  const load = os.loadavg()[0];
  console.error(
    `sweep wall time: 12 runs + pretrain on mini, ${steps} steps; slots ${slotCounts.join(', ')} × ${repeat}; ` +
      `${os.cpus().length} cores, load ${load.toFixed(2)}`,
  );
  const times = new Map<number, number[]>(slotCounts.map((n) => [n, []]));
  for (let i = 0; i < repeat; i++) {
    for (const n of slotCounts) {
      const r = await once(n);
      if (r.failed > 0) throw new Error(`${r.failed} of ${r.runs} runs did not finish with ${n} slot(s)`);
      times.get(n)!.push(r.seconds);
      console.error(`  ${n} slot(s): ${r.seconds.toFixed(1)} s`);
    }
  }
  const base = median(times.get(slotCounts[0])!);
  const figures = slotCounts.map((n) => {
    const m = median(times.get(n)!);
    return {
      name: `sweep wall time, ${n} slot${n > 1 ? 's' : ''} (mini, 12 runs + pretrain, ${steps} steps; ×${repeat})`,
      value: m,
      unit: 's',
      note: times
        .get(n)!
        .map((t) => t.toFixed(1))
        .join(', '),
    };
  });
  const best = slotCounts.slice(1).map((n) => ({
    name: `sweep wall time, ${n} slots ÷ ${slotCounts[0]} slot`,
    value: median(times.get(n)!) / base,
    unit: '×',
    ...(slotCounts[0] === 1 && !quick ? { goal: '<= 0.6' } : {}),
  }));
  const json = { quick, steps, loadAtStart: load, loadAtEnd: os.loadavg()[0], figures: [...figures, ...best] };
  console.log(
    table(
      ['figure', 'value'],
      json.figures.map((f) => [f.name, `${f.value.toFixed(f.unit === '×' ? 2 : 1)} ${f.unit}`]),
    ),
  );
  const outDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `sweep-wall-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(out, `${JSON.stringify({ ...json, cpu: os.cpus()[0]?.model, cores: os.cpus().length }, null, 2)}\n`);
  console.error(`wrote ${path.relative(root, out)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
