/**
 * The run's event log: every event is validated against lib/protocol, numbered (seq), printed on stdout (unless
 * the CLI says not to: a terminal gets a progress bar instead) and appended to OUT/events.ndjson (one write per
 * line, so a crash leaves whole lines).
 *
 * Resume policy: the file is append-only and is never rewritten. On resume we continue seq from the
 * last complete line actually present, and suppress re-emitting any (type, step) event that is already
 * in the file after the checkpoint (the replayed steps reproduce them exactly). Why not truncate back
 * to the checkpoint's seq: a server tailing the file may already have read past that point by byte
 * offset, and ingest is idempotent on seq, so rewriting history would desynchronise it. A partial last
 * line (killed mid-write) is the one thing cut off, since appending after it would corrupt both lines.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { encodeEvent, parseEvent, PROTOCOL_VERSION, type EventBody, type RunEvent } from '../lib/protocol/index';

/** Events that occur at most once per step, hence can be recognised when replayed after a resume. */
const PER_STEP = new Set(['metrics', 'eval', 'layer_norms', 'lisa_period', 'checkpoint']);

function keyOf(e: { type: string; step?: number }): string | null {
  return PER_STEP.has(e.type) && e.step !== undefined ? `${e.type}:${e.step}` : null;
}

export interface ResumeLog {
  nextSeq: number;
  /** (type, step) keys already written after the checkpoint. */
  present: Set<string>;
}

/** Read an existing events file for a resume from a checkpoint whose next seq was `checkpointSeq`. */
export function scanForResume(file: string, checkpointSeq: number): ResumeLog {
  if (!existsSync(file)) return { nextSeq: checkpointSeq, present: new Set() };
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  let last = -1;
  const present = new Set<string>();
  for (const line of text.slice(0, end).split('\n')) {
    if (!line.trim()) continue;
    let e: RunEvent;
    try {
      e = parseEvent(line);
    } catch {
      continue; // a foreign or damaged line: keep it, do not interpret it
    }
    last = Math.max(last, e.seq);
    const key = keyOf(e as { type: string; step?: number });
    if (key && e.seq >= checkpointSeq) present.add(key);
  }
  return { nextSeq: last >= 0 ? last + 1 : checkpointSeq, present };
}

export class EventLog {
  private fd: number | null;
  private seq: number;
  private readonly present: Set<string>;
  private echo: boolean;
  private readonly listener: ((e: RunEvent) => void) | undefined;

  /**
   * `echo`: also print each line on stdout (default true). `onEvent`: called with each event written (the
   * terminal's progress bar).
   */
  constructor(
    file: string | null,
    opts: { startSeq?: number; present?: Set<string>; echo?: boolean; onEvent?: (e: RunEvent) => void } = {},
  ) {
    this.fd = file ? openSync(file, 'a') : null;
    this.seq = opts.startSeq ?? 0;
    this.present = opts.present ?? new Set();
    this.echo = opts.echo ?? true;
    this.listener = opts.onEvent;
    // A parent that stops reading (closed pipe) must not kill the run: the file is the durable log.
    if (this.echo) process.stdout.once('error', () => (this.echo = false));
  }

  /** Seq the next emitted event will get. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Validate, number and write one event. Returns it, or null when it was already in the file. */
  emit(body: EventBody): RunEvent | null {
    const key = keyOf(body as { type: string; step?: number });
    if (key && this.present.has(key)) return null;
    const candidate = { v: PROTOCOL_VERSION, seq: this.seq, time: new Date().toISOString(), ...body };
    // Round-trip through the wire form so what we check is exactly what readers will parse.
    const line = encodeEvent(candidate as RunEvent);
    try {
      parseEvent(line);
    } catch (e) {
      throw new Error(`trainer produced an invalid ${body.type} event: ${(e as Error).message}`);
    }
    this.seq++;
    if (this.fd !== null) writeSync(this.fd, `${line}\n`);
    if (this.echo) process.stdout.write(`${line}\n`);
    this.listener?.(candidate as RunEvent);
    return candidate as RunEvent;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
