/**
 * Runs each trainer as a detached local process, started from an argument vector (never a shell), with its
 * stderr in the run folder. Detached children survive a server restart; a restarted server re-attaches
 * by process id, checking /proc so that a reused pid or a zombie is not mistaken for the trainer.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stderrLog } from '../runs/layout';
import type { Executor, Handle, LaunchSpec, ProcessState } from './executor';

export function trainerCommand(root: string, spec: LaunchSpec): { file: string; args: string[] } {
  const cli = path.join(root, 'trainer', 'cli.ts');
  // A resume continues the configuration saved in the run's checkpoint; the trainer refuses config flags with it.
  const args = spec.resume
    ? ['--import', 'tsx', cli, '--out', spec.dir, '--resume']
    : ['--import', 'tsx', cli, '--config', spec.configFile, '--out', spec.dir];
  return { file: process.execPath, args };
}

function procState(pid: number): 'alive' | 'zombie' | 'gone' {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

function belongsToRun(pid: number, runId: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runId);
  } catch {
    return false;
  }
}

export class LocalExecutor implements Executor {
  readonly name = 'local';
  private readonly exited = new Set<number>();

  constructor(private readonly root: string) {}

  submit(spec: LaunchSpec): Handle {
    fs.mkdirSync(spec.dir, { recursive: true });
    const err = fs.openSync(stderrLog(spec.dir), 'a');
    const { file, args } = trainerCommand(this.root, spec);
    const child = spawn(file, args, {
      cwd: this.root,
      detached: true,
      stdio: ['ignore', 'ignore', err],
      env: { ...process.env, ...spec.env, LAYERLAB_RUN_ID: spec.runId },
    });
    fs.closeSync(err);
    if (child.pid === undefined) throw new Error(`could not start the trainer for run ${spec.runId}`);
    const pid = child.pid;
    child.on('exit', () => this.exited.add(pid));
    child.unref();
    return { pid };
  }

  status(runId: string, handle: Handle): ProcessState {
    if (this.exited.has(handle.pid)) return 'exited';
    const state = procState(handle.pid);
    if (state !== 'alive') return 'exited';
    return belongsToRun(handle.pid, runId) ? 'alive' : 'exited';
  }

  async cancel(runId: string, handle: Handle, graceMs: number): Promise<void> {
    if (this.status(runId, handle) !== 'alive') return;
    try {
      process.kill(handle.pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (this.status(runId, handle) !== 'alive') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(handle.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  logs(dir: string, bytes: number): string {
    const file = stderrLog(dir);
    if (!fs.existsSync(file)) return '';
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      const len = Math.min(size, bytes);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  }
}
