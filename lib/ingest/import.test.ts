// Runs started from the command line in the dashboard: the real trainer writes into the data home by default,
// `npm run import` and the scheduler's scan make its folder a run (once), and a run still training is tailed,
// never relaunched, until it ends.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runsRoot } from '../runs/layout';
import { LocalExecutor } from '../scheduler/local';
import { Scheduler } from '../scheduler/scheduler';
import { ImportError, importRunFolder } from './import';
import { type TempDatabase, tempDatabase } from './testing';

const root = path.resolve(__dirname, '../..');
let t: TempDatabase;
const TINY = ['--preset', 'nano', '--stage', 'pretrain', '--batch', '2', '--seq', '8', '--backend', 'wasm'];

/** `npm run train -- ARGS` with the data home LAYERLAB_HOME = the test's folder. */
function train(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, LAYERLAB_HOME: t.dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', resolve));
const folders = () => (fs.existsSync(runsRoot(t.dir)) ? fs.readdirSync(runsRoot(t.dir)).sort() : []);

interface Row {
  id: string;
  kind: string;
  label: string;
  status: string;
  dir: string;
  pid: number | null;
  attempts: number;
  total_steps: number;
  last_step: number;
}
const rows = () => t.conn.sqlite.prepare('SELECT * FROM runs ORDER BY created_at').all() as Row[];
const points = (id: string) =>
  t.conn.sqlite
    .prepare('SELECT count(*) FROM points JOIN series ON series.id = points.series_id WHERE series.run_id = ?')
    .pluck()
    .get(id) as number;

let finished: string;

beforeAll(async () => {
  t = tempDatabase('layerlab-import-');
  expect(await exited(train([...TINY, '--steps', '4']))).toBe(0);
  [finished] = folders().map((n) => path.join(runsRoot(t.dir), n));
}, 120_000);
afterAll(() => t.close());

describe('importing a command-line run', () => {
  it('npm run train writes into the data home; an import makes the folder one run, however often', () => {
    expect(path.basename(finished)).toMatch(/^run-\d{4}-\d\d-\d\dT/);
    const first = importRunFolder(t.conn, finished);
    expect(first).toMatchObject({ created: true, status: 'finished', dir: finished });
    expect(first.stored).toBeGreaterThan(4);
    const [run] = rows();
    expect(run).toMatchObject({ id: first.runId, kind: 'pretrain', status: 'finished', dir: finished });
    expect(run).toMatchObject({ total_steps: 4, last_step: 4, pid: null, attempts: 0 });
    expect(run.label).toBe(`Pretrain seed 1 · ${path.basename(finished)}`);
    const stored = points(run.id);
    expect(stored).toBeGreaterThan(0);
    const again = importRunFolder(t.conn, `${finished}/`);
    expect(again).toEqual({ ...first, created: false, stored: 0 });
    expect(rows()).toHaveLength(1);
    expect(points(run.id)).toBe(stored);
  });

  it('a folder without a run is a one-line error naming it', () => {
    const empty = path.join(t.dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => importRunFolder(t.conn, empty)).toThrow(new ImportError(`${empty}/events.ndjson does not exist`));
    fs.writeFileSync(path.join(empty, 'events.ndjson'), '{"hello": 1}\n');
    expect(() => importRunFolder(t.conn, empty)).toThrow(/^the first line of .*events\.ndjson is not a LayerLab event/);
    expect(() => importRunFolder(t.conn, path.join(t.dir, 'nope'))).toThrow(/nope is not a folder$/);
    expect(rows()).toHaveLength(1);
  });

  it('npm run import: prints the run, twice the same one; a bad folder exits 2', () => {
    const run = (...dirs: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/import.ts'), ...dirs], {
        cwd: root,
        env: { ...process.env, LAYERLAB_HOME: t.dir },
        encoding: 'utf8',
      });
    const [known] = rows();
    const r = run(finished);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${finished}: already run ${known.id} (finished; 0 new events)`);
    const bad = run(path.join(t.dir, 'nope'));
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(`layerlab import: ${path.join(t.dir, 'nope')} is not a folder`);
  }, 60_000);
});

describe('the scheduler picks command-line runs up', () => {
  it('imports a run still training, tails it without relaunching it, and records how it ended', async () => {
    const scheduler = () =>
      new Scheduler(t.conn, new LocalExecutor(root), {
        dataHome: t.dir,
        slots: [{ id: 'cpu0', env: {} }],
        scanEveryTicks: 1,
        log: () => {},
      });
    const before = new Set(folders());
    const child = train([...TINY, '--steps', '100000', '--checkpoint-every', '100000']);
    const done = exited(child);
    let s = scheduler();
    s.start();
    s.stop(); // ticks by hand below
    const live = () => rows().find((r) => !before.has(path.basename(r.dir)));
    await vi.waitFor(
      () => {
        s.tick();
        expect(live()?.last_step).toBeGreaterThan(2);
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(live()).toMatchObject({ kind: 'pretrain', status: 'running', pid: null, attempts: 0 });
    // A restarted server reads it and does not take it for a dead trainer of its own (no retry, no launch).
    s = scheduler();
    s.reconcile();
    s.tick();
    expect(live()).toMatchObject({ status: 'running', pid: null, attempts: 0 });
    const seen = live()!.last_step;
    await vi.waitFor(
      () => {
        s.tick();
        expect(live()!.last_step).toBeGreaterThan(seen);
      },
      { timeout: 60_000, interval: 100 },
    );
    child.kill('SIGTERM');
    expect(await done).toBe(143);
    s.tick();
    expect(live()).toMatchObject({ status: 'cancelled', pid: null, attempts: 0 });
    expect(rows()).toHaveLength(2); // the finished run of the first test, this one: nothing imported twice
  }, 180_000);
});
