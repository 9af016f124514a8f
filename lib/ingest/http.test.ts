import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEvent } from '../protocol';
import { BodyTooLargeError, ingestEventsBody, parseEventsBody, registerExternalRun, verifyRunToken } from './http';
import { EventBuilder, tempDatabase, type TempDatabase } from './testing';

let t: TempDatabase;
afterEach(() => t?.close());

describe('events over HTTP', () => {
  it('parses NDJSON into events and numbered line errors', () => {
    const b = new EventBuilder();
    const body = [
      encodeEvent(b.started()),
      '',
      'garbage',
      `${encodeEvent(b.metrics(0, { loss: NaN }))}\r`,
      '{"v":2}',
    ].join('\n');
    const { events, errors } = parseEventsBody(body);
    expect(events.map((e) => e.seq)).toEqual([0, 1]);
    expect(errors.map((e) => e.line)).toEqual([3, 5]);
    expect((events[1] as { values: Record<string, number> }).values.loss).toBeNaN();
  });

  it('refuses a body over the cap', () => {
    expect(() => parseEventsBody('x'.repeat(2000), 1000)).toThrow(BodyTooLargeError);
  });

  it('registers an external run whose token verifies, stored only as a hash', () => {
    t = tempDatabase();
    const { db, sqlite } = t.conn;
    const { id, token } = registerExternalRun(db, {
      label: 'torch job',
      kind: 'lisa',
      config: { gamma: 2, interval: 5, seed: 3, steps: 40 },
    });
    const other = registerExternalRun(db);
    const row = sqlite
      .prepare('SELECT kind, label, gamma, interval, seed, total_steps, token_hash, status FROM runs WHERE id = ?')
      .get(id);
    expect(row).toEqual({
      kind: 'lisa',
      label: 'torch job',
      gamma: 2,
      interval: 5,
      seed: 3,
      total_steps: 40,
      token_hash: createHash('sha256').update(token).digest('hex'),
      status: 'queued',
    });
    expect(verifyRunToken(db, id, token)).toBe(true);
    expect(verifyRunToken(db, id, `${token}x`)).toBe(false);
    expect(verifyRunToken(db, id, '')).toBe(false);
    expect(verifyRunToken(db, other.id, token)).toBe(false);
    expect(verifyRunToken(db, 'missing', token)).toBe(false);
  });

  it('stores a retried body once and returns line errors with the result', () => {
    t = tempDatabase();
    const { id } = registerExternalRun(t.conn.db);
    const b = new EventBuilder();
    const body =
      [b.started(), b.metrics(0, { loss: 1 }), b.metrics(1, { loss: 0.5 })].map(encodeEvent).join('\n') +
      '\nnot json\n';
    const first = ingestEventsBody(t.conn.sqlite, id, body);
    expect(first).toMatchObject({ stored: 3, duplicates: 0, errors: [{ line: 4 }] });
    expect(ingestEventsBody(t.conn.sqlite, id, body)).toMatchObject({ stored: 0, duplicates: 3 });
  });
});
