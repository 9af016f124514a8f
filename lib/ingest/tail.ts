/**
 * The file door of the write path: tail a run's events.ndjson from runs.events_offset.
 * Reads new bytes in chunks; only complete lines (ending in \n) are consumed, so a half-written last line
 * waits, unread, until the trainer finishes it. Each chunk's events are ingested and the offset advanced in
 * the same transaction: a crash between the two cannot lose or double anything (and seq makes re-reads
 * harmless anyway). A line that is not a valid event is noted in run_logs (level error, keyed by its byte
 * offset) and skipped; the lines around it are stored.
 */
import fs from 'node:fs';
import type { Connection } from '../../db';
import { parseEvent, type RunEvent } from '../protocol';
import { garbageNoteSeq, writeNote } from './notes';
import { writeStatements } from './statements';
import { ingestEvents, IngestError, type IngestResult, type SeqGap } from './write';

export interface LineError {
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  message: string;
}

export interface TailResult {
  /** Stored offset after this call: the first byte not yet consumed. */
  offset: number;
  /** Bytes consumed by this call. */
  bytesRead: number;
  /** Complete lines read (valid or not). */
  lines: number;
  /** Bytes after `offset` left for the next call: a line still being written, or the rest when `more`. */
  pendingBytes: number;
  errors: LineError[];
  stored: number;
  duplicates: number;
  points: number;
  gaps: SeqGap[];
  status: IngestResult['status'];
  /** The file does not exist (yet). */
  missing: boolean;
  /** The file is shorter than the stored offset: it was replaced or truncated; nothing was read. */
  truncated: boolean;
  /** Stopped at maxBytes with more complete data available: call again. */
  more: boolean;
}

export interface TailOptions {
  /** Bytes read per chunk (one transaction each). */
  chunkBytes?: number;
  /** Stop after consuming about this many bytes, so one call cannot block the event loop for long. */
  maxBytes?: number;
}

const NEWLINE = 0x0a;

function parseLines(buf: Buffer, base: number): { events: RunEvent[]; errors: LineError[]; lines: number } {
  const events: RunEvent[] = [];
  const errors: LineError[] = [];
  let lines = 0;
  let start = 0;
  for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; start = nl + 1, nl = buf.indexOf(NEWLINE, start)) {
    lines++;
    let end = nl;
    if (end > start && buf[end - 1] === 0x0d) end--; // tolerate \r\n
    const text = buf.toString('utf8', start, end);
    if (text.trim().length === 0) continue;
    try {
      events.push(parseEvent(text));
    } catch (e) {
      errors.push({ offset: base + start, message: (e as Error).message });
    }
  }
  return { events, errors, lines };
}

function emptyResult(offset: number): TailResult {
  return {
    offset,
    bytesRead: 0,
    lines: 0,
    pendingBytes: 0,
    errors: [],
    stored: 0,
    duplicates: 0,
    points: 0,
    gaps: [],
    status: null,
    missing: false,
    truncated: false,
    more: false,
  };
}

/** Ingest whatever complete lines were appended to `file` since the run's stored offset. Synchronous. */
export function tailRun(conn: Connection, runId: string, file: string, options: TailOptions = {}): TailResult {
  const { sqlite } = conn;
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  const maxBytes = options.maxBytes ?? 64 << 20;
  const row = sqlite.prepare('SELECT events_offset AS offset FROM runs WHERE id = ?').get(runId) as
    | { offset: number }
    | undefined;
  if (!row) throw new IngestError('not_found', `run ${runId} does not exist`);
  const result = emptyResult(row.offset);

  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...result, missing: true };
    throw e;
  }
  const st = writeStatements(sqlite);
  const setOffset = sqlite.prepare('UPDATE runs SET events_offset = ? WHERE id = ?');
  const commit = sqlite.transaction((events: RunEvent[], errors: LineError[], next: number) => {
    for (const err of errors)
      writeNote(st, runId, garbageNoteSeq(err.offset), 'error', `skipped line at byte ${err.offset}: ${err.message}`);
    const r = events.length > 0 ? ingestEvents(sqlite, runId, events) : null;
    setOffset.run(next, runId);
    return r;
  });

  try {
    const size = fs.fstatSync(fd).size;
    if (size < result.offset) return { ...result, truncated: true };
    let pos = result.offset; // next byte to read
    let carry: Buffer = Buffer.alloc(0); // bytes after the last newline seen, starting at result.offset
    while (pos < size) {
      if (result.bytesRead >= maxBytes) {
        result.more = true;
        break;
      }
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - pos));
      const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      pos += n;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const last = data.lastIndexOf(NEWLINE);
      if (last < 0) {
        carry = data;
        continue;
      }
      const complete = data.subarray(0, last + 1);
      carry = Buffer.from(data.subarray(last + 1));
      const { events, errors, lines } = parseLines(complete, result.offset);
      const next = result.offset + complete.length;
      const r = commit.immediate(events, errors, next);
      result.offset = next;
      result.bytesRead += complete.length;
      result.lines += lines;
      result.errors.push(...errors);
      if (r) {
        result.stored += r.stored;
        result.duplicates += r.duplicates;
        result.points += r.points;
        result.gaps.push(...r.gaps);
        result.status = r.status ?? result.status;
      }
    }
    result.pendingBytes = size - result.offset;
    return result;
  } finally {
    fs.closeSync(fd);
  }
}
