// The scheduler against a real SQLite file and real detached processes started by the LocalExecutor. The
// trainer is a small stand-in script (in a temporary project root) that writes protocol events into its run
// folder and then finishes, dies, or waits for SIGTERM, as its config says.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDir } from '../runs/layout';
import { insertRun, type TempDatabase, tempDatabase } from '../ingest/testing';
import type { Handle, LaunchSpec } from './executor';
import { LocalExecutor } from './local';
import { Scheduler } from './scheduler';

const FAKE_TRAINER = `
import fs from 'node:fs';
import path from 'node:path';
const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1];
const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
fs.appendFileSync(path.join(out, 'argv.ndjson'), JSON.stringify(args) + '\\n');
const file = path.join(out, 'events.ndjson');
let seq = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\\n').filter(Boolean).length : 0;
const emit = (e) =>
  fs.appendFileSync(file, JSON.stringify({ v: 1, seq: seq++, time: new Date().toISOString(), ...e }) + '\\n');
// Before run_started: the test sends SIGTERM once it has seen that event.
process.on('SIGTERM', () => {
  emit({ type: 'failed', step: 0, reason: 'cancelled', message: 'stopped by SIGTERM' });
  process.exit(143);
});
const resumed = args.includes('--resume') ? { resumedFrom: 0 } : {};
const model = { params: 1, trainableParams: 1, groups: [] };
emit({ type: 'run_started', config, backend: { name: 'cpu', gpu: false, device: 'cpu' }, model, ...resumed });
process.stderr.write('stand-in trainer ' + config.behaviour + '\\n');
if (config.behaviour === 'finish') {
  emit({ type: 'finished', step: 1, summary: { 'train/loss': 1 } });
  process.exit(0);
}
if (config.behaviour === 'die') process.exit(1);
setInterval(() => {}, 1000);
`;

interface Row {
  status: string;
  pid: number | null;
  slot: string | null;
  attempts: number;
  failure_reason: string | null;
  failure_message: string | null;
  started_at: string | null;
  finished_at: string | null;
}

class Refusing extends LocalExecutor {
  submit(_spec: LaunchSpec): Handle {
    throw new Error('no node free');
  }
}

let t: TempDatabase;
let root: string;
let executor: LocalExecutor;

beforeEach(() => {
  t = tempDatabase('layerlab-scheduler-');
  root = path.join(t.dir, 'root');
  fs.mkdirSync(path.join(root, 'trainer'), { recursive: true });
  fs.writeFileSync(path.join(root, 'trainer', 'cli.ts'), FAKE_TRAINER);
  fs.symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
  executor = new LocalExecutor(root);
});
afterEach(() => t.close());

const scheduler = (opts: { maxAttempts?: number; exec?: LocalExecutor } = {}) =>
  new Scheduler(t.conn, opts.exec ?? executor, {
    dataHome: t.dir,
    slots: [{ id: 'cpu0', env: {} }],
    maxAttempts: opts.maxAttempts,
    graceMs: 20_000,
    log: () => {},
  });

function addRun(id: string, behaviour: string, extra: { dependsOn?: string } = {}): string {
  const dir = runDir(t.dir, id);
  insertRun(t.conn.sqlite, { id, config: { behaviour, out: dir } });
  t.conn.sqlite.prepare('UPDATE runs SET dir = ?, depends_on = ? WHERE id = ?').run(dir, extra.dependsOn ?? null, id);
  return dir;
}

const row = (id: string) => t.conn.sqlite.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row;

async function untilExited(id: string): Promise<void> {
  const pid = row(id).pid;
  expect(pid).not.toBeNull();
  await vi.waitFor(() => expect(executor.status(id, { pid: pid! })).toBe('exited'), { timeout: 30_000, interval: 50 });
}

describe('Scheduler', () => {
  it('launches a queued run in a free slot, then records how its trainer ended', async () => {
    const dir = addRun('r-done', 'finish');
    const s = scheduler();
    s.tick();
    const launched = row('r-done');
    expect(launched).toMatchObject({ status: 'running', slot: 'cpu0', attempts: 1 });
    expect(launched.pid).toBeGreaterThan(0);
    expect(launched.started_at).not.toBeNull();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({
      behaviour: 'finish',
      out: dir,
    });
    await untilExited('r-done');
    s.tick();
    expect(row('r-done')).toMatchObject({ status: 'finished', pid: null, slot: null, attempts: 1 });
    expect(fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8')).toContain('stand-in trainer finish');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'argv.ndjson'), 'utf8'))).not.toContain('--resume');
  });

  it('relaunches a trainer that died without a terminal event, then fails the run after maxAttempts', async () => {
    const dir = addRun('r-dies', 'die');
    const s = scheduler({ maxAttempts: 2 });
    s.tick();
    await untilExited('r-dies');
    s.tick(); // notices the death, requeues, and launches attempt 2 in the same tick
    expect(row('r-dies')).toMatchObject({ status: 'running', attempts: 2, failure_reason: null });
    // No checkpoint: the first attempt's events are set aside and the run's index starts again.
    expect(fs.existsSync(path.join(dir, 'events.attempt-1.ndjson'))).toBe(true);
    await untilExited('r-dies');
    s.tick();
    const failed = row('r-dies');
    expect(failed).toMatchObject({
      status: 'failed',
      pid: null,
      slot: null,
      attempts: 2,
      failure_reason: 'error',
      failure_message: 'the trainer died 2 times without finishing; see stderr.log in the run folder',
    });
    expect(failed.finished_at).not.toBeNull();
  });

  it('resumes from a checkpoint in the run folder instead of starting again', async () => {
    const dir = addRun('r-resume', 'finish');
    fs.mkdirSync(path.join(dir, 'checkpoint'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'checkpoint', 'manifest.json'), '{}');
    scheduler().tick();
    await untilExited('r-resume');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'argv.ndjson'), 'utf8'))).toEqual(['--out', dir, '--resume']);
  });

  it('waits for a base run, and fails a run whose base did not finish', () => {
    addRun('r-base', 'finish');
    addRun('r-child', 'finish', { dependsOn: 'r-base' });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'running' WHERE id = 'r-base'`).run();
    const s = scheduler();
    s.tick();
    expect(row('r-child').status).toBe('queued');
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'diverged' WHERE id = 'r-base'`).run();
    s.tick();
    const child = row('r-child');
    expect(child).toMatchObject({
      status: 'failed',
      failure_reason: 'error',
      failure_message: 'its base run r-base ended diverged',
      attempts: 0,
    });
    expect(child.finished_at).not.toBeNull();
  });

  it('fails a run whose trainer cannot be started', () => {
    addRun('r-nostart', 'finish');
    scheduler({ exec: new Refusing(root) }).tick();
    expect(row('r-nostart')).toMatchObject({
      status: 'failed',
      failure_reason: 'error',
      failure_message: 'could not start the trainer: no node free',
      attempts: 0,
      pid: null,
    });
  });

  it('cancels a queued run at once; resume puts it back in the queue with its failure cleared', async () => {
    addRun('r-q', 'finish');
    t.conn.sqlite.prepare(`UPDATE runs SET attempts = 2 WHERE id = 'r-q'`).run();
    const s = new Scheduler(t.conn, executor, { dataHome: t.dir, slots: [], log: () => {} });
    expect(await s.cancel('r-q')).toBe(true);
    const cancelled = row('r-q');
    expect(cancelled).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled', failure_message: null });
    expect(cancelled.finished_at).not.toBeNull();
    expect(await s.cancel('r-q')).toBe(false);
    expect(s.requeue('r-q')).toBe(true);
    expect(row('r-q')).toMatchObject({
      status: 'queued',
      attempts: 0,
      failure_reason: null,
      failure_message: null,
      finished_at: null,
    });
    expect(s.requeue('r-q')).toBe(false);
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'finished' WHERE id = 'r-q'`).run();
    expect(s.requeue('r-q')).toBe(false);
    expect(await s.cancel('r-q')).toBe(false);
    expect(row('r-q').status).toBe('finished');
  });

  it('cancels a running trainer with SIGTERM; its own cancelled event keeps its time', async () => {
    addRun('r-long', 'hang');
    const s = scheduler();
    s.tick();
    const pid = row('r-long').pid!;
    // Wait until the stand-in has written run_started (its SIGTERM handler is installed before it).
    await vi.waitFor(
      () => {
        s.tick();
        expect(t.conn.sqlite.prepare(`SELECT last_seq FROM runs WHERE id = 'r-long'`).pluck().get()).toBe(0);
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(await s.cancel('r-long')).toBe(true);
    expect(executor.status('r-long', { pid })).toBe('exited');
    const r = row('r-long');
    expect(r).toMatchObject({
      status: 'cancelled',
      pid: null,
      slot: null,
      failure_reason: 'cancelled',
      failure_message: 'stopped by SIGTERM',
    });
    const lines = fs
      .readFileSync(path.join(runDir(t.dir, 'r-long'), 'events.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(r.finished_at).toBe(JSON.parse(lines.at(-1)!).time);
  });

  it('on restart, leaves a running external run (fed over HTTP, no run folder) to its own trainer', () => {
    insertRun(t.conn.sqlite, { id: 'r-ext', kind: 'external' });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'running' WHERE id = 'r-ext'`).run();
    const s = scheduler();
    s.reconcile();
    s.tick();
    expect(row('r-ext')).toMatchObject({ status: 'running', attempts: 0, failure_reason: null });
  });

  it('on restart, requeues a run whose trainer is gone, or fails it when its attempts are spent', () => {
    addRun('r-gone', 'finish');
    addRun('r-spent', 'finish');
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'running', pid = NULL, slot = 'cpu0', attempts = 1`).run();
    t.conn.sqlite.prepare(`UPDATE runs SET attempts = 3 WHERE id = 'r-spent'`).run();
    scheduler().reconcile();
    expect(row('r-gone')).toMatchObject({ status: 'queued', pid: null, slot: null, attempts: 1 });
    expect(row('r-spent')).toMatchObject({
      status: 'failed',
      slot: null,
      failure_reason: 'error',
      failure_message: 'the trainer died 3 times without finishing; see stderr.log in the run folder',
    });
  });
});
