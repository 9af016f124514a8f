import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBuilder, insertRun, insertSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { ingestEvents } from '../ingest/write';
import { runCheckpoints } from './run-details';

let t: TempDatabase;
let dir: string;
afterEach(() => {
  t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A checkpoint folder as the trainer leaves it: a manifest with its step. */
function save(folder: string, step: number) {
  fs.mkdirSync(path.join(dir, folder), { recursive: true });
  fs.writeFileSync(path.join(dir, folder, 'manifest.json'), JSON.stringify({ step }));
}

describe('runCheckpoints', () => {
  it('says which folder holds each saved checkpoint now, and which were superseded', () => {
    t = tempDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-ckpt-'));
    const sq = t.conn.sqlite;
    insertSweep(sq, 'ck');
    const config = { method: 'full', seed: 1, steps: 40, out: dir, keep_checkpoints: 2 };
    insertRun(sq, { id: 'r1', sweepId: 'ck', kind: 'full', config, seed: 1 });
    const b = new EventBuilder();
    const at = path.join(dir, 'checkpoint');
    ingestEvents(sq, 'r1', [b.started(['embed', 'head'], config), ...[10, 20, 30, 40].map((s) => b.checkpoint(s, at))]);
    // keep_checkpoints 2: the newest in checkpoint/, the one before as checkpoint-30/; 10 and 20 are gone.
    save('checkpoint', 40);
    save('checkpoint-30', 30);
    fs.mkdirSync(path.join(dir, 'checkpoint-20.del-123'));
    const rows = runCheckpoints(sq, 'r1', dir);
    expect(rows.map((r) => [r.step, r.state, r.folder])).toEqual([
      [10, 'superseded', null],
      [20, 'superseded', null],
      [30, 'kept', 'checkpoint-30'],
      [40, 'latest', 'checkpoint'],
    ]);
    expect(rows.every((r) => r.path === at)).toBe(true);
    // A run whose folder is not on this machine (an external trainer): nothing can be said about the disk.
    expect(runCheckpoints(sq, 'r1', null).map((r) => r.state)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
  });
});
