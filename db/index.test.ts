import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from './index';
import { runs, sweeps } from './schema';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-db-'));
  dirs.push(dir);
  return path.join(dir, 'layerlab.db');
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('openDatabase', () => {
  it('creates the schema in WAL mode and reports the applied migration', () => {
    const { sqlite } = openDatabase(tempFile());
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type='table'")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of [
      'sweeps',
      'runs',
      'series',
      'points',
      'latest',
      'norm_groups',
      'norm_points',
      'lisa_periods',
      'checkpoints',
      'shares',
    ]) {
      expect(tables).toContain(t);
    }
    const v = schemaVersion(sqlite);
    expect(v.applied).toBeGreaterThanOrEqual(1);
    expect(v.latest).toMatch(/^\d{4}_/);
    sqlite.close();
  });

  it('re-opening applies nothing twice and keeps the data', () => {
    const file = tempFile();
    const first = openDatabase(file);
    first.db.insert(sweeps).values({ id: 's1', name: 'kept', spec: '{}' }).run();
    first.db
      .insert(runs)
      .values({ id: 'r1', sweepId: 's1', kind: 'lisa', label: 'LISA γ=1', config: '{}', configHash: 'h' })
      .run();
    const applied = schemaVersion(first.sqlite).applied;
    first.sqlite.close();

    const second = openDatabase(file);
    expect(schemaVersion(second.sqlite).applied).toBe(applied);
    expect(
      second.db
        .select()
        .from(sweeps)
        .all()
        .map((s) => s.name),
    ).toEqual(['kept']);
    expect(second.db.select().from(runs).all()[0]).toMatchObject({ id: 'r1', status: 'queued', lastSeq: -1 });
    second.sqlite.close();
  });
});
