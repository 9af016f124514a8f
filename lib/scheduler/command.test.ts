// The LocalExecutor running command runs: real /bin/sh programs under the exit wrapper, detached, with their
// environment, logs, exit record and process group checked on the real system.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readExitRecord } from '../runs/layout';
import type { Handle, LaunchSpec } from './executor';
import { LocalExecutor } from './local';

let tmp: string;
let executor: LocalExecutor;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-command-'));
  executor = new LocalExecutor(tmp);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function launch(runId: string, script: string, extra: Partial<LaunchSpec> = {}): { dir: string; handle: Handle } {
  const dir = path.join(tmp, 'runs', runId);
  const file = path.join(tmp, `${runId}.sh`);
  fs.writeFileSync(file, script);
  const handle = executor.submit({
    runId,
    dir,
    configFile: path.join(dir, 'config.json'),
    resume: false,
    env: { SLOT_VAR: 'slot' },
    command: { argv: ['/bin/sh', file, 'a b', '--x=$HOME'], cwd: tmp, env: { SPEC_VAR: 'spec' } },
    ...extra,
  });
  return { dir, handle };
}

const exited = (runId: string, handle: Handle) =>
  vi.waitFor(() => expect(executor.status(runId, handle)).toBe('exited'), { timeout: 30_000, interval: 50 });

/** Alive and not a zombie (an orphan may wait a moment for its reaper). */
const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
};

describe('LocalExecutor command runs', () => {
  it('runs the argument vector without a shell, with cwd, environment, logs and the exit code recorded', async () => {
    const script = [
      'printf "%s|" "$@"; echo',
      'echo "cwd=$(pwd) run=$LAYERLAB_RUN_ID slot=$SLOT_VAR spec=$SPEC_VAR"',
      'echo "to stderr" >&2',
      'exit 3',
    ].join('\n');
    const { dir, handle } = launch('r-cmd', script);
    await exited('r-cmd', handle);
    expect(fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8')).toBe(
      `a b|--x=$HOME|\ncwd=${tmp} run=r-cmd slot=slot spec=spec\n`,
    );
    expect(fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8')).toBe('to stderr\n');
    expect(readExitRecord(dir)).toMatchObject({ code: 3, signal: null });
  });

  it('records the signal that killed the program, and that a program could not be started', async () => {
    const { dir, handle } = launch('r-sig', 'echo $$ > "$1.pid"; exec sleep 60');
    void handle;
    const pidFile = path.join(tmp, 'a b.pid');
    await vi.waitFor(() => expect(fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim()).toBeTruthy(), {
      timeout: 30_000,
    });
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    await exited('r-sig', handle);
    expect(readExitRecord(dir)).toMatchObject({ code: null, signal: 'SIGKILL' });

    const missing = launch('r-missing', '', {
      command: { argv: [path.join(tmp, 'no-such-program')], cwd: tmp, env: {} },
    });
    await exited('r-missing', missing.handle);
    expect(readExitRecord(missing.dir)).toMatchObject({ code: 127, signal: null });
    expect(fs.readFileSync(path.join(missing.dir, 'stderr.log'), 'utf8')).toContain('no-such-program');
  });

  it('removes an earlier exit record when it launches again', async () => {
    const first = launch('r-again', 'exit 1');
    await exited('r-again', first.handle);
    expect(readExitRecord(first.dir)?.code).toBe(1);
    const second = launch('r-again', 'sleep 60');
    expect(readExitRecord(second.dir)).toBeNull();
    await executor.cancel('r-again', second.handle, 5000);
  });

  it('cancel stops the whole process group, children included', async () => {
    // The program starts a child that ignores SIGTERM: the group's SIGKILL after the grace period ends it.
    const script = 'trap "" TERM; sleep 120 & echo $! > "$1.child"; wait';
    const { dir, handle } = launch('r-group', script);
    const childFile = path.join(tmp, 'a b.child');
    await vi.waitFor(() => expect(fs.existsSync(childFile) && fs.readFileSync(childFile, 'utf8').trim()).toBeTruthy(), {
      timeout: 30_000,
    });
    const child = Number(fs.readFileSync(childFile, 'utf8'));
    expect(alive(child)).toBe(true);
    await executor.cancel('r-group', handle, 300);
    await exited('r-group', handle);
    await vi.waitFor(() => expect(alive(child)).toBe(false), { timeout: 30_000 });
    expect(executor.status('r-group', handle)).toBe('exited');
    void dir;
  });
});
