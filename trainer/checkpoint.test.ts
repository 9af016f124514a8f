import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CheckpointData, findCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function data(step: number): CheckpointData {
  return {
    manifest: {
      step,
      nextSeq: step,
      config: {},
      shape: { vocab: 4, dModel: 2, nLayers: 1, nHeads: 1, dFf: 4, maxSeq: 4 } as never,
      lora: null,
      sampler: null,
      progress: {},
    },
    params: [{ name: 'w', shape: [2], values: new Float32Array([step, -step]) }],
    optimizer: [],
  };
}

describe('writeCheckpoint', () => {
  it('clears a half-written folder left by a killed writer, and the new checkpoint reads back', () => {
    const run = path.join(tmp, 'killed');
    mkdirSync(path.join(run, 'checkpoint.tmp-999999'), { recursive: true });
    writeFileSync(path.join(run, 'checkpoint.tmp-999999', 'weights.bin'), 'half');
    writeCheckpoint(path.join(run, 'checkpoint'), data(4));
    expect(readdirSync(run)).toEqual(['checkpoint']);
    const back = readCheckpoint(findCheckpoint(run)!);
    expect(back.manifest.step).toBe(4);
    expect([...back.params[0].values]).toEqual([4, -4]);
  });

  it('keeps the newest N and leaves no temporary folders', () => {
    const run = path.join(tmp, 'keep');
    for (const step of [2, 4, 6, 8]) writeCheckpoint(path.join(run, 'checkpoint'), data(step), 3);
    expect(readdirSync(run).sort()).toEqual(['checkpoint', 'checkpoint-4', 'checkpoint-6']);
    expect(existsSync(path.join(run, 'checkpoint-2'))).toBe(false);
  });
});
