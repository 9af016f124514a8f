import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEvent } from '../protocol';
import { resetRunIndex } from './reset';
import { tailRun } from './tail';
import { EventBuilder, insertRun, tempDatabase, type TempDatabase } from './testing';

let t: TempDatabase;
afterEach(() => t?.close());

function setup() {
  t = tempDatabase();
  insertRun(t.conn.sqlite, { id: 'r1' });
  const file = path.join(t.dir, 'events.ndjson');
  return { conn: t.conn, sqlite: t.conn.sqlite, b: new EventBuilder(), file };
}

const line = (e: Parameters<typeof encodeEvent>[0]) => `${encodeEvent(e)}\n`;
const steps = (sqlite: TempDatabase['conn']['sqlite']) =>
  sqlite.prepare('SELECT step FROM points ORDER BY step').pluck().all();

describe('tailRun', () => {
  it('waits for a half-written last line without advancing past it', () => {
    const { conn, sqlite, b, file } = setup();
    const whole = line(b.started()) + line(b.metrics(0, { loss: 2 }));
    const third = line(b.metrics(1, { loss: 1.5 }));
    fs.writeFileSync(file, whole + third.slice(0, 20));
    const first = tailRun(conn, 'r1', file);
    expect(first).toMatchObject({
      stored: 2,
      lines: 2,
      offset: Buffer.byteLength(whole),
      pendingBytes: 20,
      errors: [],
    });
    expect(sqlite.prepare('SELECT events_offset FROM runs').pluck().get()).toBe(Buffer.byteLength(whole));
    expect(tailRun(conn, 'r1', file)).toMatchObject({ stored: 0, bytesRead: 0, pendingBytes: 20 });
    fs.appendFileSync(file, third.slice(20));
    expect(tailRun(conn, 'r1', file)).toMatchObject({ stored: 1, pendingBytes: 0 });
    expect(steps(sqlite)).toEqual([0, 1]);
  });

  it('skips and logs a garbage line, keeping the lines around it', () => {
    const { conn, sqlite, b, file } = setup();
    const before = line(b.started()) + line(b.metrics(0, { loss: 2 }));
    fs.writeFileSync(
      file,
      `${before}{"v":1,"seq":oops\n${line(b.metrics(1, { loss: 1 }))}{"v":1,"seq":9,"type":"nope","time":"t"}\n`,
    );
    const r = tailRun(conn, 'r1', file);
    expect(r.stored).toBe(3);
    expect(r.errors.map((e) => e.offset)).toEqual([Buffer.byteLength(before), expect.any(Number)]);
    expect(r.errors[0].message).toMatch(/not valid JSON/);
    expect(r.errors[1].message).toMatch(/invalid event/);
    const logs = sqlite.prepare('SELECT seq, level, message FROM run_logs ORDER BY seq DESC').all() as {
      seq: number;
      level: string;
      message: string;
    }[];
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({ seq: -(2 * Buffer.byteLength(before) + 1), level: 'error' });
    expect(steps(sqlite)).toEqual([0, 1]);
    // Re-reading the same bytes (offset reset) stores nothing twice, notes included.
    sqlite.prepare('UPDATE runs SET events_offset = 0').run();
    expect(tailRun(conn, 'r1', file)).toMatchObject({ stored: 0, duplicates: 3 });
    expect(sqlite.prepare('SELECT count(*) FROM run_logs').pluck().get()).toBe(2);
  });

  it('reads in small chunks across multi-byte characters and CRLF', () => {
    const { conn, sqlite, b, file } = setup();
    const text =
      line(b.started()) +
      line(b.log('γ × K — ünïcödé ✓')).replace('\n', '\r\n') +
      line(b.metrics(3, { 'train/loss': 1 }));
    fs.writeFileSync(file, text);
    const r = tailRun(conn, 'r1', file, { chunkBytes: 7 });
    expect(r).toMatchObject({ stored: 3, errors: [], offset: Buffer.byteLength(text) });
    expect(sqlite.prepare('SELECT message FROM run_logs').pluck().get()).toBe('γ × K — ünïcödé ✓');
  });

  it('stops at maxBytes and says there is more', () => {
    const { conn, b, file } = setup();
    let text = line(b.started());
    for (let s = 0; s < 100; s++) text += line(b.metrics(s, { loss: s }));
    fs.writeFileSync(file, text);
    const first = tailRun(conn, 'r1', file, { chunkBytes: 512, maxBytes: 1000 });
    expect(first.more).toBe(true);
    expect(first.stored).toBeLessThan(101);
    let total = first.stored;
    for (let r = first; r.more; total += r.stored) r = tailRun(conn, 'r1', file, { chunkBytes: 512, maxBytes: 1000 });
    expect(total).toBe(101);
  });

  it('rebuilds the same index from the file after a reset', () => {
    const { conn, sqlite, b, file } = setup();
    let text = line(b.started());
    for (let s = 0; s < 300; s++) {
      text += line(b.metrics(s, { loss: 1 / (s + 1), lr: NaN }));
      if (s % 10 === 0) text += line(b.norms(s, { embed: { weight: s, update: 1, trainable: 1, grad: 2 } }));
    }
    text += line(b.checkpoint(299, 'c')) + line(b.log('done')) + line(b.finished(299, { loss: 0.1 }));
    fs.writeFileSync(file, text);
    const dump = () =>
      [
        'SELECT s.key, p.step, p.value FROM points p JOIN series s ON s.id = p.series_id ORDER BY 1, 2',
        'SELECT s.key, b.level, b.block, b.count, b.nan_count, b.min_value, b.max_value, b.sum_value FROM ' +
          'point_blocks b JOIN series s ON s.id = b.series_id ORDER BY 1, 2, 3',
        'SELECT g.name, n.step, n.weight, n.grad, n.has_grad FROM norm_points n JOIN norm_groups g ON g.id = ' +
          'n.group_id ORDER BY 1, 2',
        'SELECT key, step, value FROM latest ORDER BY 1',
        'SELECT step, path FROM checkpoints',
        'SELECT seq, message FROM run_logs ORDER BY 1',
        'SELECT status, last_seq, last_step, summary FROM runs',
      ].map((sql) => sqlite.prepare(sql).raw().all());
    tailRun(conn, 'r1', file);
    const before = dump();
    resetRunIndex(sqlite, 'r1');
    expect(sqlite.prepare('SELECT count(*) FROM points').pluck().get()).toBe(0);
    expect(tailRun(conn, 'r1', file)).toMatchObject({ stored: 334, duplicates: 0 });
    expect(dump()).toEqual(before);
  });

  it('reports a missing or truncated file without reading', () => {
    const { conn, sqlite, b, file } = setup();
    expect(tailRun(conn, 'r1', file)).toMatchObject({ missing: true, stored: 0 });
    fs.writeFileSync(file, line(b.started()));
    sqlite.prepare('UPDATE runs SET events_offset = 10000').run();
    expect(tailRun(conn, 'r1', file)).toMatchObject({ truncated: true, stored: 0, offset: 10000 });
  });
});
