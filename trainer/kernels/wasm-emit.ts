/**
 * A tiny WebAssembly binary writer: just enough to express the trainer's SIMD kernels without a toolchain
 * (none is available on the machines we target). Its users: gemm.ts (matmul), simd-map.ts (elementwise maps)
 * and adamw-wasm.ts (the AdamW update).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Instruction builder for one function body. Locals are referred to by index. */
export class Code {
  readonly bytes: number[] = [];
  get(i: number) {
    this.bytes.push(0x20, ...uleb(i));
    return this;
  }
  set(i: number) {
    this.bytes.push(0x21, ...uleb(i));
    return this;
  }
  tee(i: number) {
    this.bytes.push(0x22, ...uleb(i));
    return this;
  }
  i32(n: number) {
    this.bytes.push(0x41, ...sleb(n));
    return this;
  }
  add() {
    this.bytes.push(0x6a);
    return this;
  }
  sub() {
    this.bytes.push(0x6b);
    return this;
  }
  mul() {
    this.bytes.push(0x6c);
    return this;
  }
  ltU() {
    this.bytes.push(0x49);
    return this;
  }
  ne() {
    this.bytes.push(0x47);
    return this;
  }
  divU() {
    this.bytes.push(0x6e);
    return this;
  }
  eqz() {
    this.bytes.push(0x45);
    return this;
  }
  block() {
    this.bytes.push(0x02, 0x40);
    return this;
  }
  loop() {
    this.bytes.push(0x03, 0x40);
    return this;
  }
  f32Load(offset: number) {
    this.bytes.push(0x2a, 2, ...uleb(offset));
    return this;
  }
  f32Store(offset: number) {
    this.bytes.push(0x38, 2, ...uleb(offset));
    return this;
  }
  end() {
    this.bytes.push(0x0b);
    return this;
  }
  brIf(depth: number) {
    this.bytes.push(0x0d, ...uleb(depth));
    return this;
  }
  private simd(op: number, ...imm: number[]) {
    this.bytes.push(0xfd, ...uleb(op), ...imm);
    return this;
  }
  /** v128.load with a constant byte offset (alignment hint 4 bytes: operands need not be 16-aligned). */
  load(offset: number) {
    return this.simd(0x00, 2, ...uleb(offset));
  }
  store(offset: number) {
    return this.simd(0x0b, 2, ...uleb(offset));
  }
  load32Splat(offset: number) {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  zero() {
    return this.simd(0x0c, ...new Array(16).fill(0));
  }
  /** v128.const with the same float32 in all four lanes. */
  f32x4Const(v: number) {
    return this.simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
  }
  f32x4Splat() {
    return this.simd(0x13);
  }
  f32x4Add() {
    return this.simd(0xe4);
  }
  f32x4Sub() {
    return this.simd(0xe5);
  }
  f32x4Mul() {
    return this.simd(0xe6);
  }
  f32x4Div() {
    return this.simd(0xe7);
  }
  f32x4Sqrt() {
    return this.simd(0xe3);
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

export interface FuncSpec {
  name: string;
  params: number[];
  /** Extra locals as [count, type] runs. */
  locals: Array<[number, number]>;
  body: Code;
}

/**
 * One module with the given exported functions (no results). Its memory is imported as `env.mem`
 * (so it can work directly in another module's heap), with no declared maximum.
 */
export function buildModule(funcs: FuncSpec[]): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0x00])));
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(0)]]));
  const funcSec = section(3, vec(funcs.map((_, i) => uleb(i))));
  const exports = section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, vec(bodies));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcSec,
    ...exports,
    ...code,
  ]);
}
