// Command runs end to end below HTTP: a command sweep created from a real spec, its runs launched by the real
// Scheduler and LocalExecutor on a real SQLite file, the program a small Python script (Debian's /usr/bin/python3,
// standard library only) that appends protocol events to $LAYERLAB_EVENTS_FILE and exits, fails, hangs or is
// killed as its --behaviour says.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TempDatabase, tempDatabase } from '../ingest/testing';
import { getRun } from '../queries/runs';
import { eventsFile } from '../runs/layout';
import { createSweep, parseOrThrow } from '../sweep/create';
import { LocalExecutor } from './local';
import { Scheduler } from './scheduler';

const PROGRAM = `
import json, os, sys, time
opts = dict(a[2:].split('=', 1) for a in sys.argv[1:] if a.startswith('--'))
ev, run_dir = os.environ['LAYERLAB_EVENTS_FILE'], os.environ['LAYERLAB_RUN_DIR']
seen = {'argv': sys.argv[1:], 'cwd': os.getcwd(), 'pid': os.getpid(),
        'env': {k: v for k, v in os.environ.items() if k.startswith('LAYERLAB_') or k == 'SPEC_VAR'}}
with open(os.path.join(run_dir, 'seen.ndjson'), 'a') as f:
    f.write(json.dumps(seen) + '\\n')
seq, last = 0, -1
if os.path.exists(ev):
    for line in open(ev):
        if line.strip():
            e = json.loads(line)
            seq = e['seq'] + 1
            if e['type'] == 'metrics':
                last = e['step']
def emit(body):
    global seq
    t = time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime())
    with open(ev, 'a') as f:
        f.write(json.dumps(dict(v=1, seq=seq, time=t, **body)) + '\\n')
    seq += 1
behaviour, steps, delay = opts['behaviour'], int(opts['steps']), float(opts.get('delay', '0'))
print('stdout of', behaviour)
if behaviour == 'silent':
    time.sleep(600)
started = dict(type='run_started', config={'steps': steps}, backend=dict(name='torch', gpu=False, device='cpu'),
               model=dict(params=1, trainableParams=1, groups=[]))
if os.environ.get('LAYERLAB_RESUME') == '1':
    started['resumedFrom'] = max(last, 0)
emit(started)
for s in range(last + 1, steps):
    emit(dict(type='metrics', step=s, values={'train/loss': 1.0 / (s + 1)}))
    while os.path.exists(os.path.join(run_dir, 'pause-at-%d' % s)):
        time.sleep(0.02)
    time.sleep(delay)
if behaviour == 'finish':
    emit(dict(type='finished', step=steps - 1, summary={'train/loss': 0.5}))
if behaviour == 'fail':
    sys.stderr.write('loading data\\nValueError: no such dataset: /data/x.jsonl\\n')
    sys.exit(1)
if behaviour == 'hang':
    time.sleep(600)
`;

let t: TempDatabase;
let work: string;
let executor: LocalExecutor;
const URL = 'http://127.0.0.1:3999';

beforeEach(() => {
  t = tempDatabase('layerlab-command-runs-');
  work = path.join(t.dir, 'project');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'prog.py'), PROGRAM);
  executor = new LocalExecutor(t.dir);
});
afterEach(() => t.close());

const scheduler = (exec = executor) =>
  new Scheduler(t.conn, exec, {
    dataHome: t.dir,
    slots: [{ id: 'cpu0', env: { SLOT_VAR: 'slot' } }],
    graceMs: 5_000,
    publicUrl: URL,
    log: () => {},
  });

/** One command run with these parameters; its id and folder. */
function addRun(train: Record<string, unknown>): { id: string; dir: string } {
  const text = JSON.stringify({
    name: 'cmd',
    program: 'prog.py',
    env: { SPEC_VAR: 'from-spec' },
    train,
    parameters: { lisa_activated_layers: { values: [1] } },
  });
  const created = createSweep(t.conn, t.dir, parseOrThrow(text, 'application/json', undefined, work));
  const id = created.runs[0].id;
  return { id, dir: getRun(t.conn.db, id).dir! };
}

interface Row {
  status: string;
  pid: number | null;
  attempts: number;
  failure_reason: string | null;
  failure_message: string | null;
  token_hash: string | null;
  last_step: number | null;
}
const row = (id: string) => t.conn.sqlite.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row;
const seen = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'seen.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { argv: string[]; cwd: string; pid: number; env: Record<string, string> });
const steps = (id: string) =>
  (
    t.conn.sqlite
      .prepare(`SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ?`)
      .all(id, 'train/loss') as { step: number }[]
  ).map((r) => r.step);
const eventSteps = (dir: string) =>
  fs
    .readFileSync(eventsFile(dir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'metrics')
    .map((e) => e.step as number);

/** Ticks until the run's status is `status`. */
async function until(s: Scheduler, id: string, status: string): Promise<void> {
  await vi.waitFor(
    () => {
      s.tick();
      expect(row(id).status).toBe(status);
    },
    { timeout: 30_000, interval: 50 },
  );
}

const gone = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return ['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
};

describe('command runs', () => {
  it('runs the program with its arguments, cwd and environment; its events are stored and it finishes', async () => {
    const { id, dir } = addRun({ behaviour: 'finish', steps: 3 });
    const s = scheduler();
    s.tick();
    expect(row(id)).toMatchObject({ status: 'running', attempts: 1 });
    await until(s, id, 'finished');
    const [first] = seen(dir);
    expect(first.argv).toEqual([
      '--behaviour=finish',
      '--steps=3',
      '--lisa_activated_layers=1',
      '--method=lisa',
      '--seed=1',
      '--interval=20',
    ]);
    expect(first.cwd).toBe(work);
    const { LAYERLAB_RUN_TOKEN: token, ...env } = first.env;
    expect(env).toEqual({
      SPEC_VAR: 'from-spec',
      LAYERLAB_URL: URL,
      LAYERLAB_RUN_ID: id,
      LAYERLAB_RUN_DIR: dir,
      LAYERLAB_EVENTS_FILE: path.join(dir, 'events.ndjson'),
    });
    // The token is the run's ingest token: only its sha256 is stored, and never in the config.
    expect(row(id).token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(getRun(t.conn.db, id))).not.toContain(token);
    expect(steps(id)).toEqual([0, 1, 2]);
    // (Its `finished` event ended the run; the process may exit a moment later.)
    expect(row(id)).toMatchObject({ failure_reason: null, last_step: 2 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'args.json'), 'utf8'))).toEqual({
      behaviour: 'finish',
      steps: 3,
      lisa_activated_layers: 1,
      method: 'lisa',
      seed: 1,
      interval: 20,
    });
    expect(fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8')).toBe('stdout of finish\n');
  });

  it('exit 0 without a finished event → finished; exit 1 → failed with the stderr tail, not retried', async () => {
    const ok = addRun({ behaviour: 'exit0', steps: 2 });
    const bad = addRun({ behaviour: 'fail', steps: 2 });
    const s = new Scheduler(t.conn, executor, {
      dataHome: t.dir,
      slots: [
        { id: 'cpu0', env: {} },
        { id: 'cpu1', env: {} },
      ],
      log: () => {},
    });
    s.tick();
    await until(s, ok.id, 'finished');
    await until(s, bad.id, 'failed');
    expect(row(ok.id)).toMatchObject({ failure_reason: null, pid: null });
    expect(row(bad.id)).toMatchObject({
      attempts: 1,
      pid: null,
      failure_reason: 'error',
      failure_message:
        'the program exited with code 1; stderr ends: loading data\nValueError: no such dataset: /data/x.jsonl',
    });
    s.tick();
    expect(row(bad.id).status).toBe('failed');
    // Without publicUrl the program is not told a URL.
    expect(seen(ok.dir)[0].env.LAYERLAB_URL).toBeUndefined();
  });

  it('cancel stops the whole process group: the run is cancelled and its processes are gone', async () => {
    const { id, dir } = addRun({ behaviour: 'hang', steps: 1 });
    const s = scheduler();
    s.tick();
    await vi.waitFor(() => expect(fs.existsSync(path.join(dir, 'seen.ndjson'))).toBe(true), { timeout: 30_000 });
    const wrapper = row(id).pid!;
    const program = seen(dir)[0].pid;
    expect(await s.cancel(id)).toBe(true);
    expect(row(id)).toMatchObject({ status: 'cancelled', pid: null, failure_reason: 'cancelled' });
    await vi.waitFor(() => expect([gone(wrapper), gone(program)]).toEqual([true, true]), { timeout: 30_000 });
  });

  it('a program killed mid-run (SIGKILL) fails; resumed: LAYERLAB_RESUME=1, its folder, each step once', async () => {
    const { id, dir } = addRun({ behaviour: 'finish', steps: 8, delay: 0.05 });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pause-at-3'), '');
    const s = scheduler();
    s.tick();
    await vi.waitFor(
      () => {
        s.tick();
        expect(row(id).last_step).toBe(3);
      },
      { timeout: 30_000, interval: 50 },
    );
    process.kill(seen(dir)[0].pid, 'SIGKILL');
    fs.rmSync(path.join(dir, 'pause-at-3'));
    await until(s, id, 'failed');
    expect(row(id).failure_message).toBe('the program was killed by SIGKILL (nothing on stderr; see stderr.log)');
    const tokenBefore = row(id).token_hash;
    expect(s.requeue(id)).toBe(true);
    await until(s, id, 'finished');
    const [before, after] = seen(dir);
    expect(before.env.LAYERLAB_RESUME).toBeUndefined();
    expect(after.env).toMatchObject({ LAYERLAB_RESUME: '1', LAYERLAB_RUN_DIR: dir, LAYERLAB_RUN_ID: id });
    expect(row(id).token_hash).not.toBe(tokenBefore);
    expect(eventSteps(dir)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(steps(id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('events.attempt'))).toEqual([]);
  });

  it('a server restart re-attaches to a running program and still reads its exit code', async () => {
    const { id, dir } = addRun({ behaviour: 'fail', steps: 4, delay: 0.05 });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pause-at-1'), '');
    const first = scheduler();
    first.tick();
    await vi.waitFor(
      () => {
        first.tick();
        expect(row(id).last_step).toBe(1);
      },
      { timeout: 30_000, interval: 50 },
    );
    // A new server: a new executor (nothing in memory about the process) and a new scheduler on the same data.
    const logs: string[] = [];
    const restarted = new Scheduler(t.conn, new LocalExecutor(t.dir), {
      dataHome: t.dir,
      slots: [{ id: 'cpu0', env: {} }],
      log: (m) => logs.push(m),
    });
    restarted.reconcile();
    expect(logs).toEqual([`re-attached to run ${id} (pid ${row(id).pid})`]);
    expect(row(id).status).toBe('running');
    fs.rmSync(path.join(dir, 'pause-at-1'));
    await until(restarted, id, 'failed');
    expect(row(id).failure_message).toMatch(/^the program exited with code 1; stderr ends: loading data/);
    expect(steps(id)).toEqual([0, 1, 2, 3]);
  });

  it('a running program silent for LAYERLAB_SILENT_AFTER_S gets a note, gone once events arrive', async () => {
    const { id, dir } = addRun({ behaviour: 'silent', steps: 1 });
    const s = scheduler();
    s.tick();
    await vi.waitFor(() => expect(fs.existsSync(path.join(dir, 'seen.ndjson'))).toBe(true), { timeout: 30_000 });
    const saved = process.env.LAYERLAB_SILENT_AFTER_S;
    process.env.LAYERLAB_SILENT_AFTER_S = '60';
    try {
      expect(getRun(t.conn.db, id).note).toBeNull();
      // Launched 90 s ago (the args file is written at each launch), nothing written since.
      const past = new Date(Date.now() - 90_000);
      fs.utimesSync(path.join(dir, 'args.json'), past, past);
      expect(getRun(t.conn.db, id).note).toMatch(
        /^no events in 9\d s: the program has written nothing to its events file \(LAYERLAB_EVENTS_FILE\) since it/,
      );
      fs.appendFileSync(eventsFile(dir), '');
      expect(getRun(t.conn.db, id).note).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.LAYERLAB_SILENT_AFTER_S;
      else process.env.LAYERLAB_SILENT_AFTER_S = saved;
      await s.cancel(id);
    }
    expect(getRun(t.conn.db, id).note).toBeNull();
  });
});
