/**
 * The HTTP door of the write path (`POST /api/runs/:id/events`, NDJSON body, per-run bearer token), as plain
 * functions for the route handler: parse a body into events plus per-line errors, register an external run
 * with its token, and check a token in constant time. Only sha256(token) is stored.
 */
import type Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db';
import { runs } from '../../db/schema';
import { AppError } from '../errors';
import { newId, sha256 } from '../ids';
import { parseEvent, type RunEvent } from '../protocol';
import type { StoredRunKind } from '../protocol/config';
import { createRun } from '../runs/lifecycle';
import { ingestEvents, type IngestResult } from './write';

/** Largest accepted body; the route should also refuse a larger Content-Length before reading. */
export const MAX_EVENTS_BODY_BYTES = 8 << 20;

export interface BodyLineError {
  /** 1-based line number in the body. */
  line: number;
  message: string;
}

export interface ParsedBody {
  events: RunEvent[];
  errors: BodyLineError[];
}

export class BodyTooLargeError extends AppError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super('too_large', `request body is ${bytes} bytes; the limit is ${limit}`);
    this.name = 'BodyTooLargeError';
  }
}

/** Parse an NDJSON body. Blank lines are ignored; the last line needs no trailing newline. */
export function parseEventsBody(body: string, maxBytes = MAX_EVENTS_BODY_BYTES): ParsedBody {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > maxBytes) throw new BodyTooLargeError(bytes, maxBytes);
  const events: RunEvent[] = [];
  const errors: BodyLineError[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (text.trim().length === 0) continue;
    try {
      events.push(parseEvent(text));
    } catch (e) {
      errors.push({ line: i + 1, message: (e as Error).message });
    }
  }
  return { events, errors };
}

export type EventsBodyResult = IngestResult & { errors: BodyLineError[] };

/** Parse and store a body: valid lines are stored even when others are not (they are listed in `errors`). */
export function ingestEventsBody(
  sqlite: Database.Database,
  runId: string,
  body: string,
  maxBytes?: number,
): EventsBodyResult {
  const { events, errors } = parseEventsBody(body, maxBytes);
  return { ...ingestEvents(sqlite, runId, events), errors };
}

export interface ExternalRunInput {
  label?: string;
  sweepId?: string | null;
  /** 'external' unless the caller says which method it ran, so it can join a sweep's table. */
  kind?: StoredRunKind;
  config?: Record<string, unknown>;
}

function intOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

/** Create a run that a trainer elsewhere will feed over HTTP. The token is returned once and never stored. */
export function registerExternalRun(db: Db, input: ExternalRunInput = {}): { id: string; token: string } {
  const id = newId('r');
  const token = randomBytes(32).toString('base64url');
  const config = input.config ?? {};
  const configJson = JSON.stringify(config);
  createRun(db.$client, {
    id,
    sweepId: input.sweepId ?? null,
    kind: input.kind ?? 'external',
    label: input.label ?? id,
    config: configJson,
    configHash: sha256(configJson),
    seed: intOrNull(config.seed),
    gamma: intOrNull(config.gamma),
    interval: intOrNull(config.interval),
    totalSteps: intOrNull(config.steps),
    tokenHash: sha256(token),
  });
  return { id, token };
}

/** True when `token` is the run's ingest token. Constant-time in the token's content. */
export function verifyRunToken(db: Db, runId: string, token: string): boolean {
  const row = db.select({ tokenHash: runs.tokenHash }).from(runs).where(eq(runs.id, runId)).get();
  if (!row?.tokenHash) return false;
  const given = Buffer.from(sha256(token), 'hex');
  const stored = Buffer.from(row.tokenHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
