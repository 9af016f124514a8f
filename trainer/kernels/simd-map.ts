/**
 * Elementwise kernels compiled from a small expression tree: one pass over memory instead of one
 * tfjs kernel (and one pass) per arithmetic step. On wasm the expression becomes a SIMD loop over the
 * backend's heap; on cpu it is interpreted per element (tests, fallback). Inputs may also broadcast one
 * value per row or per column. Used for GELU (its forward and backward are ~15 elementwise steps over the
 * largest activations), LayerNorm and the attention softmax backward. A constant may also come from the
 * call's attributes (`attr('scale')`): one kernel then serves every value, compiled once per value on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { asCpu, asWasm, cpuValues, heapOffset, runKernel } from './tfjs-internals';
import { Code, I32, V128, buildModule } from './wasm-emit';

export type Expr = { in: number } | { k: number } | { attr: string } | { op: 'add' | 'sub' | 'mul'; a: Expr; b: Expr };

type Attrs = Record<string, unknown>;

/** Expression helpers: x(0) is the first input. */
export const x = (i: number): Expr => ({ in: i });
export const k = (v: number): Expr => ({ k: v });
/** A constant given with each call: `runMap(name, inputs, { [name]: value })`. */
export const attr = (name: string): Expr => ({ attr: name });
export const add = (a: Expr, b: Expr): Expr => ({ op: 'add', a, b });
export const sub = (a: Expr, b: Expr): Expr => ({ op: 'sub', a, b });
export const mul = (a: Expr, b: Expr): Expr => ({ op: 'mul', a, b });

/** How an input lines up with the output [rows, d]: elementwise, one value per row, or one per column. */
export type Kind = 'full' | 'row' | 'col';

/** The value of attribute `name` in one call's attributes; a number is required. */
function attrValue(attrs: Attrs, name: string): number {
  const v = attrs[name];
  if (typeof v !== 'number') throw new Error(`map kernel attribute ${name} must be a number, got ${String(v)}`);
  return v;
}

/** The names of the attributes an expression reads, in order of first use. */
function attrNames(e: Expr, out: string[] = []): string[] {
  if ('attr' in e) {
    if (!out.includes(e.attr)) out.push(e.attr);
  } else if ('op' in e) {
    attrNames(e.a, out);
    attrNames(e.b, out);
  }
  return out;
}

function evalAt(e: Expr, ins: Float32Array[], idx: number[], attrs: Attrs): number {
  if ('in' in e) return ins[e.in][idx[e.in]];
  if ('k' in e) return e.k;
  if ('attr' in e) return attrValue(attrs, e.attr);
  const a = evalAt(e.a, ins, idx, attrs);
  const b = evalAt(e.b, ins, idx, attrs);
  return Math.fround(e.op === 'add' ? a + b : e.op === 'sub' ? a - b : a * b);
}

function emit(c: Code, e: Expr, locals: number[], attrs: Attrs): void {
  if ('in' in e) c.get(locals[e.in]);
  else if ('k' in e) c.f32x4Const(e.k);
  else if ('attr' in e) c.f32x4Const(attrValue(attrs, e.attr));
  else {
    emit(c, e.a, locals, attrs);
    emit(c, e.b, locals, attrs);
    if (e.op === 'add') c.f32x4Add();
    else if (e.op === 'sub') c.f32x4Sub();
    else c.f32x4Mul();
  }
}

/** params: input pointers…, output pointer, rows, d4 (groups of four floats per row). */
function body(kinds: Kind[], e: Expr, attrs: Attrs): Code {
  const n = kinds.length;
  const [out, rows, d4] = [n, n + 1, n + 2];
  const j = n + 3;
  const colBase = kinds.map((_, i) => n + 4 + i); // i32 locals (used for col inputs)
  const vals = kinds.map((_, i) => n + 4 + n + i); // v128 locals
  const c = new Code();
  kinds.forEach((k, i) => k === 'col' && c.get(i).set(colBase[i]));
  c.block().get(rows).eqz().brIf(0).loop();
  kinds.forEach((k, i) => {
    if (k === 'row') c.get(i).f32Load(0).f32x4Splat().set(vals[i]);
    if (k === 'col') c.get(colBase[i]).set(i);
  });
  c.get(d4).set(j).block().get(j).eqz().brIf(0).loop();
  kinds.forEach((k, i) => k !== 'row' && c.get(i).load(0).set(vals[i]));
  c.get(out);
  emit(c, e, vals, attrs);
  c.store(0);
  kinds.forEach((k, i) => k !== 'row' && c.get(i).i32(16).add().set(i));
  c.get(out).i32(16).add().set(out);
  c.get(j).i32(1).sub().tee(j).brIf(0).end().end();
  kinds.forEach((k, i) => k === 'row' && c.get(i).i32(4).add().set(i));
  c.get(rows).i32(1).sub().tee(rows).brIf(0).end().end();
  return c;
}

const registered = new Set<string>();

/** Index of each input for output element i of [rows, d]. */
function indices(kinds: Kind[], i: number, d: number): number[] {
  return kinds.map((k) => (k === 'full' ? i : k === 'row' ? Math.floor(i / d) : i % d));
}

/**
 * Register `name` on wasm and cpu: out[r, c] = e(inputs at [r, c]), where `full` inputs have the
 * output's shape (given by the first input, which must be full; last axis = d), `row` inputs hold one
 * value per row and `col` inputs one per column. All float32. Call through `runMap`.
 */
export function registerMap(name: string, kinds: Kind[], e: Expr): void {
  if (registered.has(name)) return;
  if (kinds[0] !== 'full') throw new Error(`map ${name}: the first input must be full-shaped`);
  const attrsUsed = attrNames(e);
  // Compiled modules by attribute values, for the heap they were built against.
  let compiled: { memory: WebAssembly.Memory; byAttrs: Map<string, (...a: number[]) => void> } | null = null;
  const order = (ins: tf.NamedTensorInfoMap) => kinds.map((_, i) => ins[`x${i}`] as tf.TensorInfo);
  const geometry = (shape: number[]) => {
    const d = shape[shape.length - 1] ?? 1;
    return { d, size: shape.reduce((p, q) => p * q, 1) };
  };
  const interpret = (views: Float32Array[], o: Float32Array, d: number, attrs: Attrs) => {
    for (let i = 0; i < o.length; i++) o[i] = evalAt(e, views, indices(kinds, i, d), attrs);
  };
  const compile = (memory: WebAssembly.Memory, attrs: Attrs) => {
    if (compiled?.memory !== memory) compiled = { memory, byAttrs: new Map() };
    const key = attrsUsed.map((a) => attrValue(attrs, a)).join(',');
    let run = compiled.byAttrs.get(key);
    if (!run) {
      const n = kinds.length;
      const bytes = buildModule([
        {
          name: 'map',
          params: new Array(n + 3).fill(I32),
          locals: [
            [1 + n, I32],
            [n, V128],
          ],
          body: body(kinds, e, attrs),
        },
      ]);
      run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } }).exports.map as (
        ...a: number[]
      ) => void;
      compiled.byAttrs.set(key, run);
    }
    return run;
  };
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs: named, backend, attrs = {} }) => {
      for (const a of attrsUsed) attrValue(attrs, a); // before anything is allocated
      const b = asWasm(backend);
      const ins = order(named);
      const { d, size } = geometry(ins[0].shape);
      const out = b.makeOutput([...ins[0].shape], 'float32');
      const memory = b.wasm.asm.memory;
      const at = (t: tf.TensorInfo) => heapOffset(b, t);
      if (d % 4 !== 0) {
        const heap = new Float32Array(memory.buffer);
        const len = (k: Kind) => (k === 'full' ? size : k === 'row' ? size / d : d);
        interpret(
          ins.map((t, i) => heap.subarray(at(t) / 4, at(t) / 4 + len(kinds[i]))),
          heap.subarray(at(out) / 4, at(out) / 4 + size),
          d,
          attrs,
        );
        return out;
      }
      compile(memory, attrs)(...ins.map(at), at(out), size / d, d / 4);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: ({ inputs: named, backend, attrs = {} }) => {
      for (const a of attrsUsed) attrValue(attrs, a);
      const b = asCpu(backend);
      const ins = order(named);
      const { d, size } = geometry(ins[0].shape);
      const o = new Float32Array(size);
      interpret(
        ins.map((t) => Float32Array.from(cpuValues(b, t) ?? [])),
        o,
        d,
        attrs,
      );
      return b.makeTensorInfo([...ins[0].shape], 'float32', o);
    },
  });
  registered.add(name);
}

/** Run a registered map kernel; `attrs` gives the values of its `attr(…)` constants. */
export function runMap(name: string, inputs: tf.Tensor[], attrs: Attrs = {}): tf.Tensor {
  return runKernel(name, inputs, attrs) as tf.Tensor;
}
