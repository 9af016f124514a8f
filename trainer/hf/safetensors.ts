/**
 * safetensors files (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {...}}`, then the
 * tensor bytes, offsets relative to the end of the header. Tensors are read one at a time (never the
 * whole file into one buffer) and converted to float32; F32, F16 and BF16 are understood.
 * A sharded model is several such files and `model.safetensors.index.json` ({weight_map: {name: file}}).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors';

export type Dtype = 'F32' | 'F16' | 'BF16';
const WIDTH: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** The header length is a u64; real headers are KBs to a few MB. */
const MAX_HEADER = 100 * 1024 * 1024;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  file: string;
  /** Absolute byte offset of the first element in `file`. */
  start: number;
  bytes: number;
}

export interface Tensor {
  shape: number[];
  values: Float32Array;
}

function readExactly(fd: number, buf: Uint8Array, position: number, file: string, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new ModelError(`${file}: truncated safetensors file (${what} ends past the end of the file)`);
    done += n;
  }
}

/** The tensor index of one .safetensors file, checked against the file's size. */
export function readHeader(file: string): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  const name = path.basename(file);
  if (!existsSync(file)) throw new ModelError(`${file}: no such file`);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new ModelError(`${name}: truncated safetensors file (${size} bytes, no header)`);
    const len8 = new Uint8Array(8);
    readExactly(fd, len8, 0, name, 'header length');
    const len = Number(new DataView(len8.buffer).getBigUint64(0, true));
    if (len > MAX_HEADER || len < 2) throw new ModelError(`${name}: not a safetensors file (header length ${len})`);
    if (8 + len > size) {
      throw new ModelError(`${name}: truncated safetensors file (header of ${len} bytes, file of ${size})`);
    }
    const hbuf = new Uint8Array(len);
    readExactly(fd, hbuf, 8, name, 'header');
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(new TextDecoder().decode(hbuf)) as Record<string, unknown>;
    } catch (e) {
      throw new ModelError(`${name}: safetensors header is not valid JSON (${(e as Error).message})`);
    }
    const tensors: TensorInfo[] = [];
    let metadata: Record<string, string> = {};
    for (const [key, entry] of Object.entries(header)) {
      if (key === '__metadata__') {
        metadata = (entry ?? {}) as Record<string, string>;
        continue;
      }
      const e = entry as { dtype?: string; shape?: number[]; data_offsets?: number[] };
      if (!e || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
        throw new ModelError(`${name}: tensor ${key} has a malformed header entry`);
      }
      if (!(e.dtype! in WIDTH)) {
        throw new ModelError(`${name}: tensor ${key} has dtype ${e.dtype}; supported are F32, F16, BF16`);
      }
      const dtype = e.dtype as Dtype;
      const [begin, end] = e.data_offsets;
      const count = e.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== count * WIDTH[dtype]) {
        throw new ModelError(`${name}: tensor ${key} has ${end - begin} bytes for shape [${e.shape}] ${dtype}`);
      }
      if (8 + len + end > size) {
        throw new ModelError(`${name}: truncated safetensors file (tensor ${key} ends past the end)`);
      }
      tensors.push({ name: key, dtype, shape: e.shape, file, start: 8 + len + begin, bytes: end - begin });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/** IEEE half → float32. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export function decode(bytes: Uint8Array, dtype: Dtype): Float32Array {
  const n = bytes.length / WIDTH[dtype];
  // Copied into an aligned buffer: a view at an odd offset cannot be a typed array.
  const aligned = new Uint8Array(bytes);
  if (dtype === 'F32') return new Float32Array(aligned.buffer, 0, n);
  const u16 = new Uint16Array(aligned.buffer, 0, n);
  if (dtype === 'BF16') {
    const u32 = new Uint32Array(n);
    for (let i = 0; i < n; i++) u32[i] = u16[i] << 16;
    return new Float32Array(u32.buffer);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = halfToFloat(u16[i]);
  return out;
}

/** The tensors of a model folder: `model.safetensors`, or shards listed by `model.safetensors.index.json`. */
export class SafetensorsFolder {
  readonly tensors = new Map<string, TensorInfo>();
  /** Weight files, in order (one for an unsharded model). */
  readonly files: string[] = [];

  /** `file`: one named file of the folder (e.g. adapter_model.safetensors) instead of the model weights. */
  constructor(
    readonly dir: string,
    file?: string,
  ) {
    const single = path.join(dir, file ?? 'model.safetensors');
    const index = path.join(dir, 'model.safetensors.index.json');
    if (!file && existsSync(index)) {
      let map: Record<string, string>;
      try {
        map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
      } catch (e) {
        throw new ModelError(`${index}: not a valid index (${(e as Error).message})`);
      }
      if (!map || typeof map !== 'object') throw new ModelError(`${index}: no weight_map`);
      for (const f of new Set(Object.values(map))) this.files.push(path.join(dir, f));
      for (const f of this.files) this.addFile(f);
      for (const [tensor, f] of Object.entries(map)) {
        if (this.tensors.get(tensor)?.file !== path.join(dir, f)) {
          throw new ModelError(`${index}: tensor ${tensor} is listed in ${f} but that shard does not hold it`);
        }
      }
    } else if (existsSync(single)) {
      this.files.push(single);
      this.addFile(single);
    } else {
      const what = 'no model.safetensors or model.safetensors.index.json (only safetensors weights are read)';
      throw new ModelError(`${dir}: ${what}`);
    }
  }

  private addFile(file: string): void {
    for (const t of readHeader(file).tensors) this.tensors.set(t.name, t);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) {
      const files = this.files.map((f) => path.basename(f)).join(', ');
      throw new ModelError(`${this.dir}: tensor ${name} is missing from ${files}`);
    }
    return t;
  }

  /** One tensor as float32, read with one positioned read of exactly its bytes. */
  read(name: string): Tensor {
    const t = this.info(name);
    const fd = openSync(t.file, 'r');
    try {
      const buf = new Uint8Array(t.bytes);
      readExactly(fd, buf, t.start, path.basename(t.file), `tensor ${name}`);
      return { shape: t.shape, values: decode(buf, t.dtype) };
    } finally {
      closeSync(fd);
    }
  }
}

export interface TensorOut {
  name: string;
  shape: number[];
  /** Called when the tensor is written, so only one tensor's values need be in memory at a time. */
  values: () => Float32Array;
}

/**
 * Writes a float32 safetensors file: header (padded with spaces to 8 bytes), then each tensor in the
 * order given. Written to a temporary name, then renamed into place.
 */
export function writeSafetensors(file: string, tensors: TensorOut[], metadata: Record<string, string> = {}): number {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = 4 * t.shape.reduce((a, b) => a * b, 1);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const hbytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hbytes.length));
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  try {
    written += writeSync(fd, len);
    written += writeSync(fd, hbytes);
    for (const t of tensors) {
      const v = t.values();
      const expect = t.shape.reduce((a, b) => a * b, 1);
      if (v.length !== expect) throw new Error(`tensor ${t.name}: ${v.length} values for shape [${t.shape}]`);
      written += writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return written;
}
