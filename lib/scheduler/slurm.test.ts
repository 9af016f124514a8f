// The Slurm executor against a real single-node Slurm (scripts/slurm-local.sh, started here in a temporary folder
// on its own ports) and the real trainer, driven by the real scheduler over a real SQLite file. Without Slurm
// installed these tests fail, saying what to install (slurm-testing.ts): they are never skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDatabase, type TempDatabase } from '../ingest/testing';
import { parseEvent, type RunEvent } from '../protocol';
import { eventsFile, readExitRecord } from '../runs/layout';
import { createSweep, parseOrThrow } from '../sweep/create';
import { LocalExecutor } from './local';
import { Scheduler } from './scheduler';
import { SlurmExecutor } from './slurm';
import { slurmSlots } from './slots';
import { type TestCluster, testCluster } from './slurm-testing';

const root = path.resolve(__dirname, '../..');

let clusterDir = '';
let testSlurm: TestCluster | null = null;
/** What the server's Slurm commands see: the cluster's SLURM_CONF. */
let slurmEnv: NodeJS.ProcessEnv = process.env;
const open: TempDatabase[] = [];
const schedulers: Scheduler[] = [];

const cluster = (cmd: 'start' | 'stop') => testSlurm![cmd]();
const slurm = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { env: slurmEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  testSlurm = testCluster(); // throws, saying what to install, without Slurm
  clusterDir = testSlurm.dir;
  slurmEnv = testSlurm.env;
  cluster('start');
  // The fine-tunes of the tests below start from one small pretrain (the equality test pretrains its own).
  const args = ['--preset', 'nano', '--stage', 'pretrain', '--steps', '1', '--batch', '2', '--seq', '16'];
  const pre = spawnSync(process.execPath, ['--import', 'tsx', 'trainer/cli.ts', ...args, '--out', base()], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(pre.status, pre.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  testSlurm?.stop();
}, 60_000);

afterEach(() => {
  for (const s of schedulers.splice(0)) s.stop();
  for (const t of open.splice(0)) t.close();
  // A job that a failed test left queued or running would hold the single node from the next test.
  try {
    const left = slurm('squeue', '-h', '-o', '%i').split('\n').filter(Boolean);
    if (left.length) slurm('scancel', ...left);
  } catch {
    /* no controller to ask: the test that stopped it failed before starting it again */
  }
});

const base = () => path.join(clusterDir, 'base');
const NANO = `
model: { preset: nano }
data: { preset: instruct }
seeds: [1]
`;
/** A nano fine-tune from the pretrain made in beforeAll. */
const BASED = () => `
model: { preset: nano, base: ${base()} }
data: { preset: instruct }
seeds: [1]
`;

/** A data home with a sweep of each spec in it, and a scheduler over it with both executors. */
function setup(specs: string | string[], opts: { slurm?: SlurmExecutor } = {}) {
  const t = tempDatabase('layerlab-slurm-home-');
  open.push(t);
  const slurmExec = opts.slurm ?? new SlurmExecutor({ root, env: slurmEnv, pollMs: 200 });
  const local = new LocalExecutor(root);
  const s = new Scheduler(t.conn, local, {
    dataHome: t.dir,
    slots: [{ id: 'cpu0', env: { CUDA_VISIBLE_DEVICES: '' } }, ...slurmSlots(8)],
    executors: { slurm: slurmExec },
    graceMs: 30_000,
    log: () => {},
  });
  schedulers.push(s);
  const sweeps = [specs].flat().map((spec) => createSweep(t.conn, t.dir, parseOrThrow(spec)));
  const sweep = sweeps[0];
  const row = (key: string, i = 0) => {
    const id = sweeps[i].runs.find((r) => r.key === key)!.id;
    return t.conn.sqlite.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, unknown> & {
      id: string;
      status: string;
      pid: number | null;
      dir: string;
      failure_message: string | null;
    };
  };
  return { t, s, slurm: slurmExec, sweep, sweeps, row };
}

/** Tick until `check` passes (vi.waitFor lets the executor's background polls run in between). */
const until = (s: Scheduler[], check: () => void, timeout = 120_000) =>
  vi.waitFor(
    () => {
      for (const x of s) x.tick();
      check();
    },
    { timeout, interval: 200 },
  );

const events = (dir: string): RunEvent[] =>
  fs.readFileSync(eventsFile(dir), 'utf8').split('\n').filter(Boolean).map(parseEvent);

/** train/loss by step, checking that no step is logged twice. */
function losses(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of events(dir)) {
    if (e.type !== 'metrics') continue;
    expect(out.has(e.step), `metrics for step ${e.step} twice`).toBe(false);
    out.set(e.step, e.values['train/loss']);
  }
  return out;
}

/** The process of a job's batch step: the trainer (the batch script execs it). */
function stepProcess(job: number): number {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (env.includes(`SLURM_JOB_ID=${job}`) && cmd.includes('trainer/cli.ts')) return Number(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  throw new Error(`no trainer process of job ${job}`);
}

/**
 * Back to service (slurm-local's ReturnToService=2 may have done it already), and idle or busy. A state with a
 * flag is not back: `idle*` (not responding) or a drain runs no job, so the resume is asked for again until it is.
 */
function nodeUp(node: string): void {
  let state = '';
  for (let i = 0; i < 300; i++) {
    state = slurm('sinfo', '-h', '-n', node, '-o', '%T').trim();
    if (/^(idle|mixed|allocated|completing)$/.test(state)) return;
    if (i % 10 === 0) {
      try {
        slurm('scontrol', 'update', `nodename=${node}`, 'state=resume');
      } catch {
        /* "Invalid node state specified": it is on its way back */
      }
    }
    execFileSync('sleep', ['0.2']);
  }
  throw new Error(`node ${node} did not come back (sinfo says ${state})`);
}

/** Slurm holds a requeued job back (BeginTime); a hold it sets after an earlier release is released again. */
function releaseBeginTime(job: number): void {
  try {
    const { state, reason } = jobState(job);
    if (state === 'PENDING' && reason === 'BeginTime') slurm('scontrol', 'update', `jobid=${job}`, 'starttime=now');
  } catch {
    /* the job left the queue: the run's status says how */
  }
}

function jobState(id: number): { state: string; reason: string } {
  const out = slurm('scontrol', 'show', 'job', '-o', String(id));
  return { state: /JobState=(\S+)/.exec(out)![1], reason: /Reason=(\S+)/.exec(out)![1] };
}

describe('Slurm executor on a single-node Slurm', { timeout: 180_000 }, () => {
  it('runs a nano sweep (pretrain as a Slurm dependency) to the same losses, bit for bit, as local', async () => {
    const spec = `name: eq
${NANO}
pretrain: { steps: 2, batch: 2, seq: 16 }
train: { steps: 6, batch: 2, seq: 16, eval_every: 3, eval_records: 8, checkpoint_every: 3 }
parameters:
  gamma: { value: 1 }
  interval: { value: 2 }
baselines: [{ method: full }]
`;
    const viaSlurm = setup(`${spec}executor: { kind: slurm, time: '10' }\n`);
    const viaLocal = setup(spec);
    const keys = viaSlurm.sweep.runs.map((r) => r.key);
    expect(keys).toEqual(['pretrain', 'lisa-g1-k2-s1', 'full-s1']);
    // One tick submits all three: the fine-tunes wait in Slurm's queue behind the pretrain's job.
    viaSlurm.s.tick();
    const pre = viaSlurm.row('pretrain').pid!;
    const lisa = viaSlurm.row('lisa-g1-k2-s1');
    expect(lisa.status).toBe('running');
    const dep = slurm('scontrol', 'show', 'job', '-o', String(lisa.pid));
    expect(dep).toContain(`Dependency=afterok:${pre}`);
    expect(dep).toContain(`WorkDir=${lisa.dir}`);
    // The pages' view: the executor, the job, and why it waits.
    await vi.waitFor(() => expect(viaSlurm.s.placement(lisa.id)?.job).toBeDefined(), { timeout: 30_000 });
    expect(viaSlurm.s.placement(lisa.id)).toMatchObject({ executor: 'slurm', job: { id: String(lisa.pid) } });
    expect(viaLocal.s.placement(viaLocal.row('pretrain').id)).toMatchObject({ executor: 'local' });
    await until([viaSlurm.s, viaLocal.s], () => {
      for (const key of keys) {
        expect(viaSlurm.row(key).status, `${key} via Slurm`).toBe('finished');
        expect(viaLocal.row(key).status, `${key} locally`).toBe('finished');
      }
    });
    for (const key of keys) {
      const a = losses(viaSlurm.row(key).dir);
      const b = losses(viaLocal.row(key).dir);
      expect(a.size).toBeGreaterThan(0);
      expect([...a], key).toEqual([...b]);
    }
    expect(fs.readFileSync(path.join(lisa.dir, 'slurm-job.sh'), 'utf8')).toContain('--resume');
    // The shared-filesystem probe ran once for the runs folder, and the node wrote into it.
    expect(Object.values(viaSlurm.slurm.probeResults())).toEqual(['ok']);
  });

  it('cancels a job from the cancel path: scancel, the trainer checkpoints, the run ends cancelled', async () => {
    const { s, row } = setup(`name: cancel\n${BASED()}${LONG}executor: { kind: slurm }\n`);
    await until([s], () => expect(row(KEY).last_seq).toBeGreaterThanOrEqual(0));
    const job = row(KEY).pid!;
    expect(await s.cancel(row(KEY).id)).toBe(true);
    expect(row(KEY)).toMatchObject({ status: 'cancelled', pid: null, failure_reason: 'cancelled' });
    expect(jobState(job).state).toBe('CANCELLED');
    const last = events(row(KEY).dir).at(-1)!;
    expect(last).toMatchObject({ type: 'failed', reason: 'cancelled' });
  });

  it('resumes a job killed under Slurm from its checkpoint: no step lost or repeated', async () => {
    const spec = `name: kill\n${BASED()}
train: { steps: 400, batch: 2, seq: 16, eval_every: 1000, eval_records: 8, checkpoint_every: 20 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
executor: { kind: slurm }
`;
    const { s, row } = setup(spec);
    const checkpointed = () =>
      fs.existsSync(eventsFile(row(KEY).dir)) &&
      events(row(KEY).dir).some((e) => e.type === 'checkpoint' && e.step >= 20);
    await until([s], () => expect(checkpointed()).toBe(true));
    const first = row(KEY).pid!;
    // SIGKILL to the job's step process, the trainer (`scancel --signal=KILL` would cancel the job instead:
    // Slurm then sends SIGTERM first, and the trainer checkpoints and reports cancelled, as tested above).
    process.kill(stepProcess(first), 'SIGKILL');
    await until([s], () => expect(row(KEY).pid).not.toBe(first));
    await until([s], () => expect(row(KEY).status).toBe('finished'));
    expect(row(KEY).attempts).toBe(2);
    const ev = events(row(KEY).dir);
    ev.forEach((e, i) => expect(e.seq).toBe(i));
    expect([...losses(row(KEY).dir).keys()]).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(ev.filter((e) => e.type === 'run_started').map((e) => 'resumedFrom' in e && e.resumedFrom)).toEqual([
      false,
      expect.any(Number),
    ]);
  });

  it('re-attaches after a server restart to a job still queued or running, and watches it to the end', async () => {
    const spec = `name: restart\n${BASED()}
train: { steps: 60, batch: 2, seq: 16, eval_every: 1000, eval_records: 8, checkpoint_every: 1000 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
executor: { kind: slurm }
`;
    const { t, s, row } = setup(spec);
    s.tick();
    const job = row(KEY).pid!;
    expect(job).toBeGreaterThan(0);
    // The server goes away (its scheduler and executor with it) while the job is queued or running.
    s.stop();
    const slurmExec = new SlurmExecutor({ root, env: slurmEnv, pollMs: 200 });
    const again = new Scheduler(t.conn, new LocalExecutor(root), {
      dataHome: t.dir,
      slots: [{ id: 'cpu0', env: { CUDA_VISIBLE_DEVICES: '' } }, ...slurmSlots(8)],
      executors: { slurm: slurmExec },
      graceMs: 30_000,
      log: () => {},
    });
    schedulers.push(again);
    expect(again.start()).toBe(true);
    again.stop(); // ticked by hand below
    expect(row(KEY)).toMatchObject({ status: 'running', pid: job, attempts: 1 });
    await vi.waitFor(() => expect(again.placement(row(KEY).id)?.job?.id).toBe(String(job)), { timeout: 30_000 });
    await until([again], () => expect(row(KEY).status).toBe('finished'));
    expect(row(KEY)).toMatchObject({ attempts: 1 });
    expect([...losses(row(KEY).dir).keys()]).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('a node failure: Slurm requeues the job, the run stays running and resumes from its checkpoint', async () => {
    const spec = `name: nodefail\n${BASED()}
train: { steps: 300, batch: 2, seq: 16, eval_every: 1000, eval_records: 8, checkpoint_every: 20 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
executor: { kind: slurm }
`;
    const { s, row } = setup(spec);
    const checkpointed = () =>
      fs.existsSync(eventsFile(row(KEY).dir)) &&
      events(row(KEY).dir).some((e) => e.type === 'checkpoint' && e.step >= 20);
    await until([s], () => expect(checkpointed()).toBe(true));
    const job = row(KEY).pid!;
    const node = os.hostname().split('.')[0];
    slurm('scontrol', 'update', `nodename=${node}`, 'state=down', 'reason=layerlab-test');
    try {
      // Slurm sends the trainer SIGTERM (it checkpoints and reports cancelled) and requeues the job (NODE_FAIL).
      await until([s], () => {
        expect(jobState(job).state).toMatch(/^(PENDING|REQUEUED)$/);
        expect(events(row(KEY).dir).at(-1)).toMatchObject({ type: 'failed', reason: 'cancelled' });
        expect(row(KEY)).toMatchObject({ status: 'running', pid: job });
      });
    } finally {
      nodeUp(node);
    }
    // Slurm holds a requeued job back for a while (BeginTime); the test does not wait for that.
    await until([s], () => {
      releaseBeginTime(job);
      expect(row(KEY).status).toBe('finished');
    });
    expect(row(KEY).attempts).toBe(1); // Slurm resumed it, not a resubmission
    expect([...losses(row(KEY).dir).keys()]).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const starts = events(row(KEY).dir).filter((e) => e.type === 'run_started');
    expect(starts.map((e) => 'resumedFrom' in e && e.resumedFrom)).toEqual([false, expect.any(Number)]);
  });

  it('a time limit: SIGUSR2 before it, a checkpoint, a resumable timeout; a resume continues from there', async () => {
    const { s, row } = setup(
      `name: timeout\n${BASED()}${LONG}executor: { kind: slurm, time: '1', signal_before: 20 }\n`,
    );
    const job = () => row(KEY).pid;
    await until([s], () => expect(row(KEY).last_seq).toBeGreaterThanOrEqual(0));
    const first = job()!;
    const line = slurm('scontrol', 'show', 'job', '-o', String(first));
    expect(line).toContain('TimeLimit=00:01:00');
    // Not a user's cancel: the run records the time limit, and stays resumable.
    await until([s], () => expect(row(KEY).status).not.toBe('running'), 150_000);
    expect(row(KEY)).toMatchObject({ status: 'failed', failure_reason: 'timeout' });
    expect(row(KEY).failure_message).toMatch(/SIGUSR2 \(the job’s time limit is near\); checkpoint written at step/);
    const ev = events(row(KEY).dir);
    const stop = ev.at(-1)!;
    expect(stop).toMatchObject({ type: 'failed', reason: 'timeout' });
    const cp = ev.filter((e) => e.type === 'checkpoint').at(-1)!;
    expect(cp.type === 'checkpoint' && stop.type === 'failed' && cp.step === stop.step).toBe(true);
    const stoppedAt = (cp as { step: number }).step;
    expect(s.requeue(row(KEY).id)).toBe(true);
    await until([s], () => expect(losses(row(KEY).dir).has(stoppedAt + 3)).toBe(true));
    expect(
      events(row(KEY).dir)
        .filter((e) => e.type === 'run_started')
        .at(-1),
    ).toMatchObject({
      resumedFrom: stoppedAt,
    });
    expect(row(KEY).pid).not.toBe(first);
    await s.cancel(row(KEY).id);
    // Every step once, none lost at the stop: 1, 2, …, the last one logged.
    const steps = [...losses(row(KEY).dir).keys()];
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
  });

  it('says "Slurm unreachable" while slurmctld is down, fails nothing, and re-syncs when it is back', async () => {
    const spec = (name: string, steps: number) => `name: ${name}\n${BASED()}
train: { steps: ${steps}, batch: 2, seq: 16, eval_every: 1000, eval_records: 8 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
executor: { kind: slurm }
`;
    const { t, s, slurm: exec, row } = setup(spec('a', 300));
    s.tick();
    const submitted = row(KEY).pid!;
    expect(submitted).toBeGreaterThan(0);
    const ctld = fs.readFileSync(path.join(clusterDir, 'run', 'slurmctld.pid'), 'utf8').trim();
    process.kill(Number(ctld), 'SIGTERM');
    try {
      await until([s], () => expect(exec.health()).toMatchObject({ reachable: false }), 60_000);
      expect(exec.health().message).toMatch(/Unable to contact slurm controller/);
      // A sweep created while the controller is away: its run waits in LayerLab's queue.
      const b = createSweep(t.conn, t.dir, parseOrThrow(spec('b', 3))).runs[0].id;
      const status = (id: string) => t.conn.sqlite.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(id);
      for (let i = 0; i < 5; i++) {
        s.tick();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status(b)).toBe('queued');
      expect(s.placement(b)?.unreachable).toMatch(/Unable to contact slurm controller/);
      // The submitted run is not taken for dead (its events may still say it finished: the folder is shared).
      expect(['running', 'finished']).toContain(row(KEY).status);
      expect(row(KEY).attempts).toBe(1);
      cluster('start');
      await until([s], () => {
        expect(exec.health().reachable).toBe(true);
        expect(row(KEY).status).toBe('finished');
        expect(status(b)).toBe('finished');
      });
      expect(row(KEY).attempts).toBe(1);
    } finally {
      cluster('start');
    }
  });

  it('fails a run at submission with Slurm’s message (bad partition, bad gres, no sbatch); others go on', async () => {
    const short = `${BASED()}
train: { steps: 2, batch: 2, seq: 16, eval_every: 100, eval_records: 8 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
`;
    const { s, row } = setup([
      `name: p\n${short}executor: { kind: slurm, partition: nosuchpartition }\n`,
      `name: g\n${short}executor: { kind: slurm, gres: 'gpu:1' }\n`,
      `name: ok\n${short}executor: { kind: slurm }\n`,
    ]);
    s.tick();
    expect(row(KEY, 0)).toMatchObject({ status: 'failed', pid: null });
    expect(row(KEY, 0).failure_message).toMatch(
      /^could not start the trainer: .*invalid partition specified: nosuchpartition/,
    );
    expect(row(KEY, 1)).toMatchObject({ status: 'failed' });
    expect(row(KEY, 1).failure_message).toMatch(/Invalid generic resource \(gres\) specification/);
    expect(row(KEY, 2).status).toBe('running');
    const noSbatch = new SlurmExecutor({ root, env: { ...slurmEnv, PATH: '/nonexistent' }, pollMs: 200 });
    const other = setup(`name: nosbatch\n${short}executor: { kind: slurm }\n`, { slurm: noSbatch });
    other.s.tick();
    expect(other.row(KEY)).toMatchObject({ status: 'failed' });
    expect(other.row(KEY).failure_message).toMatch(/sbatch not found on PATH/);
    await until([s], () => expect(row(KEY, 2).status).toBe('finished'));
  });
});

describe('Slurm executor, command runs', () => {
  it('runs a command run’s argument vector as a job: cwd, environment, logs and its exit record', async () => {
    const exec = new SlurmExecutor({ root, env: slurmEnv, pollMs: 200 });
    const dir = fs.mkdtempSync(path.join(clusterDir, 'cmd-'));
    const program = [
      '/bin/sh',
      '-c',
      'printf "%s|" "$@"; echo "cwd=$(pwd) $SPEC_VAR"; echo err >&2; exit 3',
      'x',
      'a b',
    ];
    const handle = exec.submit({
      runId: 'r-cmd',
      dir,
      configFile: path.join(dir, 'config.json'),
      resume: false,
      env: {},
      command: { argv: program, cwd: clusterDir, env: { SPEC_VAR: "it's" } },
    });
    await vi.waitFor(() => expect(exec.status('r-cmd', handle)).toBe('exited'), { timeout: 60_000, interval: 200 });
    expect(readExitRecord(dir)).toMatchObject({ code: 3, signal: null });
    expect(fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8')).toBe(`a b|cwd=${clusterDir} it's\n`);
    expect(fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8')).toContain('err');
  });
});

const KEY = 'lisa-g1-k2-s1';
/** A run far longer than any test waits for. */
const LONG = `
train: { steps: 200000, batch: 2, seq: 16, eval_every: 1000, eval_records: 8, checkpoint_every: 1000 }
parameters: { gamma: { value: 1 }, interval: { value: 2 } }
baselines: []
`;
