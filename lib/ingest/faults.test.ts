/**
 * Events-file faults through the real tailer on a real SQLite file, beyond what tail.test.ts and
 * write.test.ts already cover (a half-written line that later completes, one garbage line, a batch
 * sorted by seq, retried batches): a trainer killed mid-line whose resume cuts the fragment and appends,
 * out-of-order and repeated seq across lines of the file, garbage of every kind mixed with valid lines,
 * and a fragment with no newline at the very end of a finished file. Each case checks the stored series
 * against the file, the notes in run_logs, and that a re-read from offset 0 changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEvent, type RunEvent } from '../protocol';
import { tailRun } from './tail';
import { EventBuilder, insertRun, tempDatabase, type TempDatabase } from './testing';

let t: TempDatabase;
afterEach(() => t?.close());

function setup() {
  t = tempDatabase('layerlab-faults-');
  insertRun(t.conn.sqlite, { id: 'r1' });
  return { conn: t.conn, sqlite: t.conn.sqlite, b: new EventBuilder(), file: path.join(t.dir, 'events.ndjson') };
}

const line = (e: RunEvent) => `${encodeEvent(e)}\n`;
type Sqlite = TempDatabase['conn']['sqlite'];
const lossSteps = (sqlite: Sqlite) =>
  sqlite
    .prepare(
      `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = 'train/loss' ORDER BY p.step`,
    )
    .pluck()
    .all() as number[];
const logs = (sqlite: Sqlite) =>
  sqlite.prepare('SELECT seq, level, message FROM run_logs ORDER BY seq').all() as {
    seq: number;
    level: string;
    message: string;
  }[];
const dump = (sqlite: Sqlite) =>
  [
    'SELECT series_id, step, value FROM points ORDER BY 1, 2',
    'SELECT * FROM run_logs ORDER BY seq',
    'SELECT last_seq, last_step, status FROM runs',
  ].map((sql) => sqlite.prepare(sql).raw().all());

/** Re-reading the whole file from byte 0 must store nothing new and leave the index as it was. */
function expectRereadHarmless(conn: TempDatabase['conn'], file: string) {
  const before = dump(conn.sqlite);
  conn.sqlite.prepare('UPDATE runs SET events_offset = 0').run();
  const again = tailRun(conn, 'r1', file);
  expect(again.stored).toBe(0);
  expect(dump(conn.sqlite)).toEqual(before);
}

describe('events file faults', () => {
  it('a trainer killed mid-line: the fragment waits, the resume cuts it, nothing is lost or doubled', () => {
    const { conn, sqlite, b, file } = setup();
    let text = line(b.started());
    for (let s = 1; s <= 5; s++) text += line(b.metrics(s, { 'train/loss': 1 / s }));
    const killed = line(b.metrics(6, { 'train/loss': 1 / 6 }));
    fs.writeFileSync(file, text + killed.slice(0, killed.length - 9)); // SIGKILL between bytes
    const first = tailRun(conn, 'r1', file);
    expect(first).toMatchObject({ stored: 6, errors: [], pendingBytes: killed.length - 9 });
    // The resumed trainer cuts the partial last line (trainer/events.ts scanForResume) and writes seq 6 again.
    fs.truncateSync(file, Buffer.byteLength(text));
    const resume = new EventBuilder();
    resume.seq = 6;
    const tail = [
      resume.started(),
      ...[6, 7, 8].map((s) => resume.metrics(s, { 'train/loss': 1 / s })),
      resume.finished(8),
    ];
    fs.appendFileSync(file, tail.map(line).join(''));
    const second = tailRun(conn, 'r1', file);
    expect(second).toMatchObject({ stored: 5, errors: [], pendingBytes: 0, truncated: false });
    expect(lossSteps(sqlite)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sqlite.prepare('SELECT status, last_seq FROM runs').get()).toEqual({ status: 'finished', last_seq: 10 });
    expect(logs(sqlite)).toEqual([]);
    expectRereadHarmless(conn, file);
  });

  it('a fragment with no newline at the end of a dead trainer’s file is never stored as garbage', () => {
    const { conn, sqlite, b, file } = setup();
    fs.writeFileSync(file, `${line(b.started()) + line(b.metrics(1, { 'train/loss': 2 }))}{"v":1,"seq":2,"ty`);
    for (let i = 0; i < 3; i++) expect(tailRun(conn, 'r1', file)).toMatchObject({ errors: [], pendingBytes: 18 });
    expect(lossSteps(sqlite)).toEqual([1]);
    expect(logs(sqlite)).toEqual([]);
  });

  it('out-of-order and repeated seq within one read: sorted by seq, first writer wins, every step once', () => {
    const { conn, sqlite, b, file } = setup();
    const e = [b.started(), ...[1, 2, 3, 4, 5, 6].map((s) => b.metrics(s, { 'train/loss': s }))]; // seq 0..6
    const forged = { ...e[3], values: { 'train/loss': 999 } } as RunEvent; // seq 3 again, other content
    fs.writeFileSync(file, [e[0], e[1], e[2], e[4], e[3], forged, e[6], e[5], e[2]].map(line).join(''));
    const r = tailRun(conn, 'r1', file);
    expect(r).toMatchObject({ errors: [], stored: 7, duplicates: 2, gaps: [] });
    const values = sqlite
      .prepare(
        `SELECT p.step, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = 'train/loss' ` +
          `ORDER BY p.step`,
      )
      .all();
    expect(values).toEqual([1, 2, 3, 4, 5, 6].map((s) => ({ step: s, value: s })));
    expect(sqlite.prepare('SELECT last_seq, last_step FROM runs').get()).toEqual({ last_seq: 6, last_step: 6 });
    expectRereadHarmless(conn, file);
  });

  it(
    'out-of-order and repeated seq across reads: the seq rule applies, gaps are logged, repeats never stored ' +
      'twice',
    () => {
      const { conn, sqlite, b, file } = setup();
      const e = [b.started(), ...[1, 2, 3, 4, 5, 6].map((s) => b.metrics(s, { 'train/loss': s }))]; // seq 0..6
      const forged = { ...e[4], values: { 'train/loss': 999 } } as RunEvent; // seq 4 again, other content
      fs.writeFileSync(file, [e[0], e[1], e[2], e[4], forged, e[3], e[6], e[5], e[2]].map(line).join(''));
      // chunkBytes 1: every line is its own read and transaction, as when a trainer appends line by line.
      const r = tailRun(conn, 'r1', file, { chunkBytes: 1 });
      expect(r.errors).toEqual([]);
      expect(r.stored).toBe(5); // seq 0,1,2,4,6
      expect(r.duplicates).toBe(4); // 4' repeat; 3 and 5 after a later seq (the documented rule); 2 repeat
      expect(r.gaps).toEqual([
        { from: 3, to: 3 },
        { from: 5, to: 5 },
      ]);
      const values = sqlite
        .prepare(
          `SELECT p.step, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = 'train/loss' ` +
            `ORDER BY p.step`,
        )
        .all();
      expect(values).toEqual([1, 2, 4, 6].map((s) => ({ step: s, value: s }))); // the forged repeat did not overwrite
      expect(logs(sqlite)).toEqual([
        { seq: -(2 * 6 + 2), level: 'warn', message: 'events 5..5 missing before seq 6' },
        { seq: -(2 * 4 + 2), level: 'warn', message: 'events 3..3 missing before seq 4' },
      ]);
      expect(sqlite.prepare('SELECT last_seq, last_step FROM runs').get()).toEqual({ last_seq: 6, last_step: 6 });
      // re-reading line by line gives the same index
      const before = dump(sqlite);
      sqlite.prepare('UPDATE runs SET events_offset = 0').run();
      expect(tailRun(conn, 'r1', file, { chunkBytes: 1 }).stored).toBe(0);
      expect(dump(sqlite)).toEqual(before);
    },
  );

  it('garbage of every kind between valid lines: each logged once with its byte offset, the run intact', () => {
    const { conn, sqlite, b, file } = setup();
    const garbage = [
      '\u0000\u0001\u0002 binary',
      '{"v":1,"seq":-1,"type":"metrics","time":"t","step":0,"values":{}}', // negative seq
      '{"v":1,"seq":1.5,"type":"metrics","time":"t","step":0,"values":{}}', // fractional seq
      '{"v":99,"seq":50,"type":"metrics","time":"t","step":0,"values":{}}', // unknown protocol version
      '{"v":1,"seq":51,"type":"metrics","time":"t","step":0,"values":{"x":"not a number"}}',
      '{"v":1,"seq":52,"type":"metrics","time":"t","step":1e400,"values":{}}',
      // message over the cap
      `{"v":1,"seq":53,"type":"log","time":"t","level":"info","message":"${'x'.repeat(20_000)}"}`,
      '[1,2,3]',
      'null',
      '{"__proto__":{"polluted":true},"v":1}',
      '\uFFFD\uFFFD broken utf-8',
    ];
    let text = line(b.started());
    const offsets: number[] = [];
    for (let s = 1; s <= garbage.length; s++) {
      text += line(b.metrics(s, { 'train/loss': s }));
      offsets.push(Buffer.byteLength(text));
      text += `${garbage[s - 1]}\n`;
    }
    text += line(b.finished(garbage.length));
    fs.writeFileSync(file, text);
    const r = tailRun(conn, 'r1', file, { chunkBytes: 1000 });
    expect(r.errors.map((x) => x.offset)).toEqual(offsets);
    expect(r.stored).toBe(garbage.length + 2);
    expect(lossSteps(sqlite)).toEqual(garbage.map((_, i) => i + 1));
    const notes = logs(sqlite);
    expect(notes).toHaveLength(garbage.length);
    expect(notes.every((n) => n.level === 'error' && n.message.startsWith('skipped line at byte '))).toBe(true);
    expect(notes.map((n) => n.seq).sort((a, c) => a - c)).toEqual(
      offsets.map((o) => -(2 * o + 1)).sort((a, c) => a - c),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(sqlite.prepare('SELECT status FROM runs').pluck().get()).toBe('finished');
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expectRereadHarmless(conn, file);
  });
});
