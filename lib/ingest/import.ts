/**
 * Runs the server did not launch: a run folder that `npm run train` wrote (its events.ndjson) becomes a run in
 * the index, through the same file door as the scheduler's runs (tail.ts). A folder is one run, found again by
 * its path, so importing twice adds nothing twice: a second import ingests only what the file gained since (a
 * `--resume` from the command line). A run that is still training stays `running` with no process of the
 * server's: the scheduler tails it each tick and never takes it for dead (lib/runs/queue.ts).
 *
 * Two doors: `npm run import -- DIR` (any folder), and the scheduler's scan of the data home's runs folder, at
 * start and every few seconds, for folders the server did not make (no config.json, no stderr.log).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from '../../db';
import { newId, sha256 } from '../ids';
import { parseEvent, type RunEvent } from '../protocol';
import { configurationLabel, headlineOf } from '../runs/configuration';
import { CONFIG_FILE, eventsFile, runsRoot, STDERR_LOG } from '../runs/layout';
import { createRun } from '../runs/lifecycle';
import { tailRun } from './tail';

export class ImportError extends Error {
  /** `pending`: the events file holds no complete line yet (a trainer starting): try again later. */
  constructor(
    message: string,
    readonly pending = false,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportResult {
  runId: string;
  dir: string;
  /** False when the folder was already a run: only new events were read. */
  created: boolean;
  /** Events stored by this import. */
  stored: number;
  status: string;
}

type RunStarted = Extract<RunEvent, { type: 'run_started' }>;

/** The folder's first event, which must be the trainer's run_started; null while the file holds no line yet. */
function firstEvent(file: string): RunStarted | null {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ImportError(`${file} does not exist`);
    throw e;
  }
  const nl = text.indexOf('\n');
  if (nl < 0) return null;
  let event: RunEvent;
  try {
    event = parseEvent(text.slice(0, nl));
  } catch (e) {
    throw new ImportError(`the first line of ${file} is not a LayerLab event: ${(e as Error).message}`);
  }
  if (event.type !== 'run_started')
    throw new ImportError(`${file} does not start with run_started (its first event is ${event.type})`);
  return event;
}

const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/** The run row of a trainer's run_started: its method (or pretrain), a label like the planner's, its knobs. */
function newRunOf(started: RunStarted, dir: string, id: string) {
  const config = started.config as Record<string, unknown>;
  const kind = config.stage === 'pretrain' ? 'pretrain' : String(config.method ?? 'external');
  const lisa = kind === 'lisa';
  const name = kind === 'pretrain' ? 'Pretrain' : configurationLabel(kind, headlineOf(kind, config));
  const seed = intOrNull(config.seed);
  const json = JSON.stringify(config);
  return {
    id,
    kind,
    label: `${name}${seed === null ? '' : ` seed ${seed}`} · ${path.basename(dir)}`,
    config: json,
    configHash: sha256(json),
    seed,
    gamma: lisa ? intOrNull(config.gamma) : null,
    interval: lisa ? intOrNull(config.interval) : null,
    dir,
    totalSteps: intOrNull(config.steps),
    createdAt: started.time,
  };
}

const runOfDir = (conn: Connection, dir: string) =>
  conn.sqlite.prepare('SELECT id FROM runs WHERE dir = ?').pluck().get(dir) as string | undefined;

/**
 * Import the run in `dir` (its events.ndjson), or read what its file gained when it is a run already. The row and
 * its first events are written in one transaction, so no reader (another process's scheduler included) sees it
 * queued. Throws an ImportError naming the problem when the folder holds no run.
 */
export function importRunFolder(conn: Connection, folder: string): ImportResult {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ImportError(`${dir} is not a folder`);
  const file = eventsFile(dir);
  const started = firstEvent(file);
  if (!started) throw new ImportError(`${file} holds no complete event yet`, true);
  const { sqlite } = conn;
  let created = false;
  let stored = 0;
  const runId = sqlite
    .transaction(() => {
      const known = runOfDir(conn, dir);
      const id = known ?? newId('r');
      if (!known) {
        createRun(sqlite, newRunOf(started, dir, id));
        created = true;
      }
      for (let r = tailRun(conn, id, file); ; r = tailRun(conn, id, file)) {
        stored += r.stored;
        if (!r.more) break;
      }
      return id;
    })
    .immediate();
  const status = sqlite.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as string;
  return { runId, dir, created, stored, status };
}

/**
 * Import the folders under the data home's runs folder that the server did not make and the index does not hold
 * yet. `seen` remembers folder names already settled (a run, or the server's own), so a scan reads only new names.
 */
export function scanRunFolders(conn: Connection, dataHome: string, seen: Set<string>): ImportResult[] {
  const root = runsRoot(dataHome);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const fresh = names.filter((n) => !seen.has(n));
  if (fresh.length === 0) return [];
  const known = new Set(
    (conn.sqlite.prepare('SELECT dir FROM runs WHERE dir IS NOT NULL').pluck().all() as string[]).map((d) =>
      path.resolve(d),
    ),
  );
  const out: ImportResult[] = [];
  for (const name of fresh) {
    const dir = path.resolve(root, name);
    if (known.has(dir)) {
      seen.add(name);
      continue;
    }
    // The server's own folders (a run it launched, of a sweep since deleted) are not taken for command-line runs.
    if (fs.existsSync(path.join(dir, CONFIG_FILE)) || fs.existsSync(path.join(dir, STDERR_LOG))) {
      seen.add(name);
      continue;
    }
    if (!fs.existsSync(eventsFile(dir))) continue; // not a run (yet)
    try {
      out.push(importRunFolder(conn, dir));
      seen.add(name);
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      // No complete first event yet (a trainer starting): looked at again on the next scan. A foreign file: never.
      if (!e.pending) seen.add(name);
    }
  }
  return out;
}
