/**
 * Storage faults on real filesystems: a data home on a read-only mount, and a database on a tiny tmpfs that
 * fills up during ingest. These need root (mount). CI runs as root on the same kind of machine, so a missing
 * capability FAILS with a message saying so, instead of skipping.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { encodeEvent } from './protocol';
import { tailRun } from './ingest/tail';
import { EventBuilder, insertRun } from './ingest/testing';

const mounts: string[] = [];
const temps: string[] = [];

function mountTmpfs(dir: string, options: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error('storage fault tests need root to mount a tmpfs (CI runs them as root); run the suite as root');
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`cannot mount a tmpfs on ${dir} (${(e as Error).message.trim()}); these tests need CAP_SYS_ADMIN`);
  }
  mounts.push(dir);
}

function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' });
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('storage faults', () => {
  it(
    'a read-only data home: npm start refuses with exit code 2 and a message naming the path; the database is ' +
      'intact',
    () => {
      const mnt = tempDir('layerlab-ro-');
      mountTmpfs(mnt, 'size=8m');
      const home = path.join(mnt, 'home');
      fs.mkdirSync(path.join(home, 'runs'), { recursive: true });
      const dbFile = path.join(home, 'layerlab.db');
      const conn = openDatabase(dbFile);
      insertRun(conn.sqlite, { id: 'r1' });
      conn.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      conn.sqlite.close();
      remount(mnt, 'ro');
      expect(
        () => fs.writeFileSync(path.join(home, 'probe'), 'x'),
        'the mount must really be read-only, even for root',
      ).toThrow(/EROFS/);

      const res = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('scripts/start.ts')], {
        env: { ...process.env, LAYERLAB_HOME: home, PORT: '39999', HOST: '127.0.0.1', LAYERLAB_ADMIN_TOKEN: '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toContain(`the data home ${home} is not writable (EROFS)`);
      expect(res.stderr).toContain('LAYERLAB_HOME');
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // SQLite cannot open a WAL database on a read-only mount without its -shm: check a byte-exact copy.
      const copy = tempDir('layerlab-ro-copy-');
      for (const f of fs.readdirSync(home).filter((n) => n.startsWith('layerlab.db')))
        fs.copyFileSync(path.join(home, f), path.join(copy, f));
      expect(integrity(path.join(copy, 'layerlab.db'))).toBe('ok');
    },
  );

  it('a home that cannot be created (read-only parent): refused with the path and the reason', () => {
    const mnt = tempDir('layerlab-ro2-');
    mountTmpfs(mnt, 'size=1m,ro');
    const home = path.join(mnt, 'nested', 'home');
    const res = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('scripts/start.ts')], {
      env: { ...process.env, LAYERLAB_HOME: home, PORT: '39998', HOST: '127.0.0.1', LAYERLAB_ADMIN_TOKEN: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain(`cannot create the data home ${home}: EROFS (${mnt} is read-only)`);
  });

  it(
    'disk full during ingest: a clean SQLITE_FULL, nothing half-written, integrity ok, and a full catch-up ' +
      'once space is back',
    () => {
      const mnt = tempDir('layerlab-full-');
      mountTmpfs(mnt, 'size=600k');
      const dbFile = path.join(mnt, 'layerlab.db');
      const conn = openDatabase(dbFile);
      insertRun(conn.sqlite, { id: 'r1' });
      // The events file lives elsewhere (as on a separate disk); only the database's filesystem fills up.
      const eventsDir = tempDir('layerlab-full-events-');
      const file = path.join(eventsDir, 'events.ndjson');
      const b = new EventBuilder();
      const STEPS = 4000;
      let text = `${encodeEvent(b.started())}\n`;
      for (let s = 1; s <= STEPS; s++) {
        const values = { 'train/loss': 1 / s, lr: 1e-3, tokens_per_s: 1000 + s, grad_norm: s % 7 };
        text += `${encodeEvent(b.metrics(s, values))}\n`;
      }
      text += `${encodeEvent(b.finished(STEPS))}\n`;
      // The first 500 steps are ingested while there is room.
      const firstPart = `${text.split('\n').slice(0, 501).join('\n')}\n`;
      fs.writeFileSync(file, firstPart);
      expect(tailRun(conn, 'r1', file).stored).toBe(501);
      fs.appendFileSync(file, text.slice(firstPart.length));
      // Fill what is left of the filesystem.
      const filler = path.join(mnt, 'filler');
      try {
        fs.writeFileSync(filler, Buffer.alloc(2 << 20));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }

      let failure: unknown = null;
      try {
        for (let r = tailRun(conn, 'r1', file, { chunkBytes: 16 << 10 }); r.more; r = tailRun(conn, 'r1', file)) {
          /* keep going */
        }
      } catch (e) {
        failure = e;
      }
      expect(failure, 'the database filesystem was full, so ingest must fail').not.toBeNull();
      expect((failure as { code?: string }).code).toMatch(/^SQLITE_FULL|^SQLITE_IOERR/);
      expect(String((failure as Error).message)).toMatch(/full|disk I\/O/i);

      // What was committed is consistent: the offset, last_seq and the stored steps agree.
      const head = conn.sqlite.prepare('SELECT events_offset AS offset, last_seq AS lastSeq FROM runs').get() as {
        offset: number;
        lastSeq: number;
      };
      const stored = conn.sqlite
        .prepare(
          `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = 'train/loss' ORDER BY p.step`,
        )
        .pluck()
        .all() as number[];
      expect(stored).toEqual(stored.map((_, i) => i + 1));
      expect(stored.length).toBeGreaterThanOrEqual(500);
      expect(stored.length).toBeLessThan(STEPS);
      expect(head.lastSeq).toBe(stored.length); // seq 0 is run_started, seq s is step s
      const prefix = Buffer.from(text).subarray(0, head.offset).toString('utf8');
      expect(prefix.endsWith('\n') || head.offset === 0).toBe(true);
      expect(prefix.split('\n').filter(Boolean).length).toBe(head.lastSeq + 1);
      expect(conn.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');

      // Space comes back: the tailer resumes from its offset and every step is stored exactly once.
      fs.rmSync(filler, { force: true });
      remount(mnt, 'size=64m');
      for (let r = tailRun(conn, 'r1', file); r.more; r = tailRun(conn, 'r1', file)) {
        /* keep going */
      }
      const after = conn.sqlite
        .prepare(
          `SELECT p.step FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = 'train/loss' ORDER BY p.step`,
        )
        .pluck()
        .all() as number[];
      expect(after).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      expect(conn.sqlite.prepare('SELECT status, last_seq FROM runs').get()).toEqual({
        status: 'finished',
        last_seq: STEPS + 1,
      });
      conn.sqlite.close();
      expect(integrity(dbFile)).toBe('ok');
    },
  );
});
