/**
 * Runs each trainer as a detached local process, started from an argument vector (never a shell), with its
 * stderr in the run folder. Detached children survive a server restart; a restarted server re-attaches
 * by process id, checking /proc so that a reused pid or a zombie is not mistaken for the trainer. A command run's
 * program runs under the exit wrapper (command.ts), with its stdout in the run folder too.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exitFile, stderrLog, stdoutLog } from '../runs/layout';
import { wrappedCommand } from './command';
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
    const { command } = spec;
    if (command && !fs.existsSync(command.cwd)) throw new Error(`its working directory ${command.cwd} does not exist`);
    if (command) fs.rmSync(exitFile(spec.dir), { force: true });
    const err = fs.openSync(stderrLog(spec.dir), 'a');
    const out = command ? fs.openSync(stdoutLog(spec.dir), 'a') : 'ignore';
    const { file, args } = command ? wrappedCommand(spec) : trainerCommand(this.root, spec);
    const child = spawn(file, args, {
      cwd: command ? command.cwd : this.root,
      detached: true,
      stdio: ['ignore', out, err],
      env: { ...process.env, ...spec.env, ...command?.env, LAYERLAB_RUN_ID: spec.runId },
    });
    fs.closeSync(err);
    if (typeof out === 'number') fs.closeSync(out);
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
    // The process leads its own group (detached): signal the group, so a command's children stop with it.
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-handle.pid, sig);
      } catch {
        /* already gone */
      }
    };
    if (this.status(runId, handle) !== 'alive') return;
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.status(runId, handle) === 'alive') {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Also when the leader is gone: what is left of its group (a program's children) is forced.
    signal('SIGKILL');
  }

  logs(dir: string, bytes: number): string {
    return tailLog(stderrLog(dir), bytes);
  }
}

/** The last `bytes` of a file; '' when it does not exist. */
export function tailLog(file: string, bytes: number): string {
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
