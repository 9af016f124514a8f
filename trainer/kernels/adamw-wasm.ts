/**
 * AdamW's elementwise update as one SIMD pass over p, g, m, v in the tfjs wasm heap (in place), instead
 * of ~12 tfjs kernels per variable. Same formula as the tf-op path of optim.ts:
 *   g ← s·g;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← d·p − lr·(m/c1) / (√v/√c2 + ε)
 * In-place writes are only done on tensors whose memory nobody else shares (refcount 1).
 */
import type * as tf from '@tensorflow/tfjs';
import { activeWasm, heapOffset } from './tfjs-internals';
import { Code, F32, I32, V128, buildModule } from './wasm-emit';

/** Constants of one update. c1 = 1−β1^t, c2 = √(1−β2^t); decay = 1 − lr·wd (or 1). */
export interface AdamWConstants {
  scale: number;
  beta1: number;
  beta2: number;
  c1: number;
  c2: number;
  eps: number;
  lr: number;
  decay: number;
}

function body(): Code {
  // params: 0 p, 1 g, 2 m, 3 v (byte addresses), 4 n4 (number of 4-float groups), then f32:
  // 5 scale, 6 β1, 7 β2, 8 1/c1, 9 1/c2, 10 ε, 11 lr, 12 decay, 13 1−β1, 14 1−β2
  const [p, g, m, v, n] = [0, 1, 2, 3, 4];
  const [S, B1, B2, C1, C2, EPS, LR, DEC, OB1, OB2] = [15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const [g4, m4, v4] = [25, 26, 27];
  const x = new Code();
  for (let i = 0; i < 10; i++)
    x.get(5 + i)
      .f32x4Splat()
      .set(15 + i);
  x.block().get(n).eqz().brIf(0).loop();
  x.get(g).load(0).get(S).f32x4Mul().set(g4);
  x.get(m).get(m).load(0).get(B1).f32x4Mul().get(g4).get(OB1).f32x4Mul().f32x4Add().tee(m4).store(0);
  x.get(v).get(v).load(0).get(B2).f32x4Mul().get(g4).get(g4).f32x4Mul().get(OB2).f32x4Mul().f32x4Add().tee(v4).store(0);
  x.get(p).get(p).load(0).get(DEC).f32x4Mul();
  x.get(m4).get(C1).f32x4Mul().get(v4).f32x4Sqrt().get(C2).f32x4Mul().get(EPS).f32x4Add().f32x4Div().get(LR).f32x4Mul();
  x.f32x4Sub().store(0);
  for (const ptr of [p, g, m, v]) x.get(ptr).i32(16).add().set(ptr);
  x.get(n).i32(1).sub().tee(n).brIf(0);
  x.end().end();
  return x;
}

/** Number of fused updates done (tests check the fast path is really taken). */
export let fusedUpdates = 0;

let module: { memory: WebAssembly.Memory; run: (...a: number[]) => void } | null = null;

function kernel(memory: WebAssembly.Memory) {
  if (module?.memory !== memory) {
    const params = [I32, I32, I32, I32, I32, ...new Array(10).fill(F32)];
    const bytes = buildModule([{ name: 'adamw', params, locals: [[13, V128]], body: body() }]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
    module = { memory, run: instance.exports.adamw as (...a: number[]) => void };
  }
  return module.run;
}

/** Update in place when possible (wasm backend, size a multiple of 4, unshared memory); false otherwise. */
export function fusedAdamW(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, k: AdamWConstants): boolean {
  const b = activeWasm();
  if (!b || p.size % 4 !== 0 || [p, m, v].some((t) => b.refCount(t.dataId) !== 1)) return false;
  const at = (t: tf.Tensor) => heapOffset(b, t);
  fusedUpdates++;
  kernel(b.wasm.asm.memory)(
    at(p),
    at(g),
    at(m),
    at(v),
    p.size / 4,
    k.scale,
    k.beta1,
    k.beta2,
    1 / k.c1,
    1 / k.c2,
    k.eps,
    k.lr,
    k.decay,
    1 - k.beta1,
    1 - k.beta2,
  );
  return true;
}
