/**
 * Checkpoints: a directory with manifest.json (step, next event seq, resolved config, model shape,
 * sampler state, tensor index, backend used, W₀ hash) and two little-endian float32 files: weights.bin
 * (every parameter, base and adapters) and optim.bin (AdamW moments m, v per variable; step counts in the manifest).
 * Written atomically: into a temporary sibling directory, then renamed into place. The newest checkpoint is
 * always `checkpoint/`; with `keep` > 1 the ones it replaces stay beside it as `checkpoint-<step>/`, the
 * oldest deleted beyond `keep` in all.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  CHECKPOINT_DIR,
  CHECKPOINT_MANIFEST,
  KEPT_CHECKPOINT_PREFIX,
  OLD_CHECKPOINT_PREFIX,
} from '../lib/protocol/run-folder';
import type { LisaSamplerState } from './lisa';
import type { LoraOptions, ModelShape } from './model';
import type { SlotState } from './optim';

export const CHECKPOINT_FORMAT = 'layerlab-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_DIRNAME = CHECKPOINT_DIR;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in floats into weights.bin. */
  offset: number;
}

export interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  step: number;
  nextSeq: number;
  config: Record<string, unknown>;
  shape: ModelShape;
  lora: LoraOptions | null;
  params: TensorEntry[];
  optimizer: { name: string; t: number; offset: number; size: number }[];
  sampler: LisaSamplerState | null;
  /** Run bookkeeping that must survive a resume (best eval loss, peak memory…). */
  progress: Record<string, number>;
  /** Backend the run actually trained on (what `auto` chose); a resume stays on it unless forced. */
  backend?: string;
  /** SHA-256 of W₀ (every base parameter before training), fixed at the run's start; checked on resume. */
  w0_sha256?: string;
}

export interface CheckpointData {
  manifest: Omit<Manifest, 'format' | 'version' | 'params' | 'optimizer'>;
  params: { name: string; shape: number[]; values: Float32Array }[];
  optimizer: SlotState[];
}

function writeFile(file: string, chunks: Float32Array[] | string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    if (typeof chunks === 'string') bytes += writeSync(fd, chunks);
    else for (const c of chunks) bytes += writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** The step of a checkpoint folder (from its manifest), or null when it has none. */
function stepOf(dir: string): number | null {
  try {
    return (JSON.parse(readFileSync(path.join(dir, CHECKPOINT_MANIFEST), 'utf8')) as Manifest).step;
  } catch {
    return null;
  }
}

/**
 * The replaced checkpoint `old` (already out of the way) becomes `checkpoint-<step>` when `keep` > 1; then the
 * kept ones beyond keep − 1, oldest first, are deleted. A folder is renamed before it is deleted, so a crash
 * never leaves a half-deleted `checkpoint-<step>`; the newest, `dir`, is never touched.
 */
function rotate(dir: string, old: string, step: number, keep: number): void {
  const runDir = path.dirname(dir);
  const oldStep = existsSync(old) ? stepOf(old) : null;
  if (keep > 1 && oldStep !== null && oldStep !== step) {
    const kept = path.join(runDir, `${KEPT_CHECKPOINT_PREFIX}${oldStep}`);
    rmSync(kept, { recursive: true, force: true });
    renameSync(old, kept);
  } else rmSync(old, { recursive: true, force: true });
  const kept = readdirSync(runDir)
    .filter((n) => new RegExp(`^${KEPT_CHECKPOINT_PREFIX}\\d+(\\.del-\\d+)?$`).test(n))
    .map((n) => ({ name: n, step: Number(n.slice(KEPT_CHECKPOINT_PREFIX.length).split('.')[0]) }))
    .sort((a, b) => b.step - a.step);
  const live = kept.filter((k) => !k.name.includes('.del-'));
  const doomed = [...live.slice(Math.max(0, keep - 1)), ...kept.filter((k) => k.name.includes('.del-'))];
  for (const k of doomed) {
    const from = path.join(runDir, k.name);
    const gone = k.name.includes('.del-') ? from : `${from}.del-${process.pid}`;
    if (gone !== from) renameSync(from, gone);
    rmSync(gone, { recursive: true, force: true });
  }
}

/**
 * Write `data` to `dir` atomically. Returns the bytes written. `keep`: checkpoints kept in all, this one
 * included (1: only this one, the previous is replaced).
 */
export function writeCheckpoint(dir: string, data: CheckpointData, keep = 1): number {
  const tmp = `${dir}.tmp-${process.pid}`;
  // A half-written folder left by a writer that was killed (any pid: one trainer owns a run folder at a time).
  const base = `${path.basename(dir)}.tmp-`;
  for (const n of existsSync(path.dirname(dir)) ? readdirSync(path.dirname(dir)) : []) {
    if (n.startsWith(base)) rmSync(path.join(path.dirname(dir), n), { recursive: true, force: true });
  }
  mkdirSync(tmp, { recursive: true });
  let offset = 0;
  const params: TensorEntry[] = data.params.map((p) => {
    const e = { name: p.name, shape: p.shape, offset };
    offset += p.values.length;
    return e;
  });
  offset = 0;
  const optimizer = data.optimizer.map((s) => {
    const e = { name: s.name, t: s.t, offset, size: s.m.length };
    offset += 2 * s.m.length;
    return e;
  });
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...data.manifest,
    params,
    optimizer,
  };
  let bytes = writeFile(
    path.join(tmp, 'weights.bin'),
    data.params.map((p) => p.values),
  );
  bytes += writeFile(
    path.join(tmp, 'optim.bin'),
    data.optimizer.flatMap((s) => [s.m, s.v]),
  );
  bytes += writeFile(path.join(tmp, CHECKPOINT_MANIFEST), JSON.stringify(manifest, null, 1));
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rotate(dir, old, data.manifest.step, keep);
  return bytes;
}

/**
 * The checkpoint directory for a user-given path: a checkpoint itself, or a run's --out directory
 * holding one. Falls back to a `.old-*` sibling left by a crash between the two renames. Null if none.
 */
export function findCheckpoint(p: string): string | null {
  const candidates = [p, path.join(p, CHECKPOINT_DIRNAME)];
  for (const c of candidates) if (existsSync(path.join(c, CHECKPOINT_MANIFEST))) return c;
  const runDir = existsSync(path.join(p, CHECKPOINT_MANIFEST)) ? path.dirname(p) : p;
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) return null;
  const olds = readdirSync(runDir)
    .filter((n) => n.startsWith(OLD_CHECKPOINT_PREFIX) && existsSync(path.join(runDir, n, CHECKPOINT_MANIFEST)))
    .map((n) => path.join(runDir, n));
  return olds[0] ?? null;
}

function floats(file: string): Float32Array {
  const buf = readFileSync(file);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

export function readCheckpoint(dir: string): CheckpointData {
  const manifest = JSON.parse(readFileSync(path.join(dir, CHECKPOINT_MANIFEST), 'utf8')) as Manifest;
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new Error(`${dir} is not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} checkpoint`);
  }
  const w = floats(path.join(dir, 'weights.bin'));
  const o = floats(path.join(dir, 'optim.bin'));
  const params = manifest.params.map((e) => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + n > w.length) throw new Error(`${dir}/weights.bin is truncated (tensor ${e.name})`);
    return { name: e.name, shape: e.shape, values: w.slice(e.offset, e.offset + n) };
  });
  const optimizer = manifest.optimizer.map((e) => {
    if (e.offset + 2 * e.size > o.length) throw new Error(`${dir}/optim.bin is truncated (state of ${e.name})`);
    return {
      name: e.name,
      t: e.t,
      m: o.slice(e.offset, e.offset + e.size),
      v: o.slice(e.offset + e.size, e.offset + 2 * e.size),
    };
  });
  const { format: _f, version: _v, params: _p, optimizer: _o, ...rest } = manifest;
  return { manifest: rest, params, optimizer };
}
