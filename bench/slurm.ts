/**
 * Slurm executor overhead against the local one, on a running cluster (scripts/slurm-local.sh start, then
 * `export SLURM_CONF=...` as it prints): the same small real trainer run N times through each executor.
 *
 *   SLURM_CONF=/tmp/layerlab-slurm/slurm.conf npx tsx bench/slurm.ts [N]
 *
 * Prints, per executor, the median wall time from submit to the process gone (as the executor reports it,
 * Slurm's status polled every 200 ms), and for Slurm the median time from sbatch to the job RUNNING.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainConfigSchema } from '../lib/protocol/config';
import type { Executor, LaunchSpec } from '../lib/scheduler/executor';
import { LocalExecutor } from '../lib/scheduler/local';
import { SlurmExecutor } from '../lib/scheduler/slurm';
import { median } from './lib/stats';

const n = Number(process.argv[2] ?? 5);
const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-slurm-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function launch(name: string): LaunchSpec {
  const dir = path.join(tmp, `r-${name}`); // the local executor knows its process by the run id in its argv
  fs.mkdirSync(dir, { recursive: true });
  const config = trainConfigSchema.parse({
    stage: 'pretrain',
    preset: 'nano',
    method: 'full',
    data: 'pretrain',
    seed: 1,
    steps: 20,
    batch: 2,
    seq: 16,
    eval_every: 1000,
    eval_records: 8,
    out: dir,
  });
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  return { runId: `r-${name}`, dir, configFile, resume: false, env: { CUDA_VISIBLE_DEVICES: '' } };
}

async function once(exec: Executor, name: string): Promise<{ wall: number; toRunning?: number }> {
  const spec = launch(name);
  const t0 = performance.now();
  const handle = exec.submit(spec);
  let toRunning: number | undefined;
  while (exec.status(spec.runId, handle) === 'alive') {
    if (toRunning === undefined && exec instanceof SlurmExecutor) {
      const state = execFileSync('squeue', ['-h', '-t', 'all', '-j', String(handle.pid), '-o', '%T'], {
        encoding: 'utf8',
      }).trim();
      if (state !== '' && state !== 'PENDING' && state !== 'CONFIGURING') toRunning = performance.now() - t0;
    }
    await sleep(toRunning === undefined && exec instanceof SlurmExecutor ? 20 : 200);
  }
  const wall = performance.now() - t0;
  if (!fs.readFileSync(path.join(spec.dir, 'events.ndjson'), 'utf8').includes('"type":"finished"')) {
    throw new Error(`run ${name} did not finish: ${exec.logs(spec.dir, 2000)}`);
  }
  return { wall, toRunning };
}

async function main() {
  if (!process.env.SLURM_CONF) throw new Error('start a cluster (scripts/slurm-local.sh start) and export SLURM_CONF');
  const local = new LocalExecutor(root);
  const slurm = new SlurmExecutor({ root, pollMs: 200 });
  const walls = { local: [] as number[], slurm: [] as number[] };
  const toRunning: number[] = [];
  for (let i = 0; i < n; i++) {
    walls.local.push((await once(local, `local-${i}`)).wall);
    const s = await once(slurm, `slurm-${i}`);
    walls.slurm.push(s.wall);
    if (s.toRunning !== undefined) toRunning.push(s.toRunning);
  }
  const ms = (x: number) => `${Math.round(x)} ms`;
  console.log(`runs: ${n} per executor (nano, 20 steps), interleaved`);
  console.log(`local  wall, median: ${ms(median(walls.local))}  (all: ${walls.local.map(ms).join(', ')})`);
  console.log(`slurm  wall, median: ${ms(median(walls.slurm))}  (all: ${walls.slurm.map(ms).join(', ')})`);
  console.log(`overhead per run (median slurm - median local): ${ms(median(walls.slurm) - median(walls.local))}`);
  console.log(`sbatch → RUNNING, median of ${toRunning.length}: ${ms(median(toRunning))}`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

void main();
