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

export const runsRoot = (home: string): string => path.join(home, RUNS_DIR);
export const runDir = (home: string, runId: string): string => path.join(home, RUNS_DIR, runId);
export const eventsFile = (dir: string): string => path.join(dir, EVENTS_FILE);
export const configFile = (dir: string): string => path.join(dir, CONFIG_FILE);
export const stderrLog = (dir: string): string => path.join(dir, STDERR_LOG);
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
