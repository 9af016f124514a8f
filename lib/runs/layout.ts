/**
 * A run's folder under the data home and the files in it: the trainer's (lib/protocol/run-folder.ts, re-exported
 * here) and the server's own: the resolved config it hands the trainer, the trainer's stderr, and the events of
 * earlier attempts that ended before their first checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CHECKPOINT_DIR,
  CHECKPOINT_MANIFEST,
  EVENTS_FILE,
  OLD_CHECKPOINT_PREFIX,
  RUNS_DIR,
} from '../protocol/run-folder';

export { CHECKPOINT_DIR, CHECKPOINT_MANIFEST, EVENTS_FILE, OLD_CHECKPOINT_PREFIX, RUNS_DIR };

/** The resolved trainer config, written by the scheduler before each launch (`--config`). */
export const CONFIG_FILE = 'config.json';
/** The trainer's human-readable progress (its stderr). */
export const STDERR_LOG = 'stderr.log';
/** A command run's stdout (the built-in trainer's is not kept). */
export const STDOUT_LOG = 'stdout.log';
/** A command run's parameters as JSON (`${args_json_file}`), written before each launch. */
export const ARGS_FILE = 'args.json';
/** How a command run's process ended, `{ code, signal, time }`: written by its wrapper (lib/scheduler/command.ts). */
export const EXIT_FILE = 'exit.json';

export const runsRoot = (home: string): string => path.join(home, RUNS_DIR);
export const runDir = (home: string, runId: string): string => path.join(home, RUNS_DIR, runId);
export const eventsFile = (dir: string): string => path.join(dir, EVENTS_FILE);
export const configFile = (dir: string): string => path.join(dir, CONFIG_FILE);
export const stderrLog = (dir: string): string => path.join(dir, STDERR_LOG);
export const stdoutLog = (dir: string): string => path.join(dir, STDOUT_LOG);
export const exitFile = (dir: string): string => path.join(dir, EXIT_FILE);
export const argsFile = (dir: string): string => path.join(dir, ARGS_FILE);

/** Whether a process was launched for this run folder before (its stderr log or events exist): a resume. */
export const launchedBefore = (dir: string): boolean => fs.existsSync(stderrLog(dir)) || fs.existsSync(eventsFile(dir));
export const attemptEventsFile = (dir: string, n: number): string => path.join(dir, `events.attempt-${n}.ndjson`);

/** Whether the trainer left a checkpoint to resume from: `checkpoint/manifest.json`, or a kept `checkpoint.old-*`. */
export function hasCheckpoint(dir: string): boolean {
  if (fs.existsSync(path.join(dir, CHECKPOINT_DIR, CHECKPOINT_MANIFEST))) return true;
  if (!fs.existsSync(dir)) return false;
  return fs
    .readdirSync(dir)
    .some((n) => n.startsWith(OLD_CHECKPOINT_PREFIX) && fs.existsSync(path.join(dir, n, CHECKPOINT_MANIFEST)));
}

/** Rename the events file to the next free `events.attempt-N.ndjson`; its name, or null when there was none. */
export function setAsideEvents(dir: string): string | null {
  const file = eventsFile(dir);
  if (!fs.existsSync(file)) return null;
  let n = 1;
  while (fs.existsSync(attemptEventsFile(dir, n))) n++;
  fs.renameSync(file, attemptEventsFile(dir, n));
  return path.basename(attemptEventsFile(dir, n));
}

/** How a command run's process ended: its exit code, or the signal that killed it (then `code` is null). */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  /** Why the program could not be started at all (then `code` is 127). */
  error?: string;
  time: string;
}

/** The run folder's exit record, or null when there is none (the program still runs, or its wrapper was killed). */
export function readExitRecord(dir: string): ExitRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(exitFile(dir), 'utf8')) as ExitRecord;
    return typeof r === 'object' && r !== null && ('code' in r || 'signal' in r) ? r : null;
  } catch {
    return null;
  }
}

/**
 * Seconds since a command run last wrote to its events file, or since its launch (the args file is written at
 * each launch) when it has written nothing since; null when neither file exists.
 */
export function secondsSilent(dir: string, now = Date.now()): number | null {
  const mtime = (f: string) => {
    try {
      return fs.statSync(f).mtimeMs;
    } catch {
      return 0;
    }
  };
  const last = Math.max(mtime(eventsFile(dir)), mtime(argsFile(dir)));
  return last > 0 ? Math.max(0, (now - last) / 1000) : null;
}
