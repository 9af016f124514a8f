/**
 * The model's non-matmul operations, each with an explicit gradient written with tf ops (fewer and
 * cheaper kernels than autodiff produces; on wasm the elementwise ops run XNNPACK SIMD code). On cpu and
 * wasm they take fused paths through the map kernels defined in registerOpKernels and the host kernels of
 * kernels/fused.ts, which installKernels (kernels/index.ts) registers when the backend is chosen.
 * Pure tensor math: no I/O, no state beyond a cache of constant masks.
 */
import * as tf from '@tensorflow/tfjs';
import { hostKernelsActive, runHost } from './kernels/host';
import { runKernel } from './kernels/tfjs-internals';
import * as map from './kernels/simd-map';

const GELU_C = 2 * Math.sqrt(2 / Math.PI); // gelu_tanh(x) = x·σ(C·(x + A·x³))
export const GELU_A = 0.044715;
export const LN_EPS = 1e-5;
/** Added to masked attention scores: exp underflows to exactly 0 without -Infinity arithmetic. */
const MASKED = -1e30;

type Saver = tf.GradSaveFunc;

/**
 * Column sums of t [N, d] -> [d]. On wasm (d a multiple of 4) the SIMD kernel of kernels/colsum.ts, which sums
 * as the product tᵀ·1 it replaced did (bit for bit); the stock column reduction there is ~10x slower.
 */
function colSum(t: tf.Tensor2D): tf.Tensor1D {
  const d = t.shape[1];
  if (tf.getBackend() !== 'wasm' || d % 4 !== 0 || d === 0) return tf.sum(t, 0);
  return runKernel('LLColSum', [t]) as tf.Tensor1D;
}

/**
 * The map kernels of the fused paths (cpu/wasm), registered once by installKernels (kernels/index.ts).
 * Inputs by position; kinds say how each lines up with [N, d].
 */
export function registerOpKernels(): void {
  const { x: v, k, attr, add, sub, mul } = map;
  // LayerNorm; x̂ = (x − mean)·rstd is recomputed rather than saved.
  map.registerMap(
    'LLLayerNorm',
    ['full', 'row', 'row', 'col', 'col'],
    add(mul(mul(sub(v(0), v(1)), v(2)), v(3)), v(4)),
  );
  map.registerMap('LLMulCol', ['full', 'col'], mul(v(0), v(1)));
  const xhat = (x: number, mean: number, rstd: number) => mul(sub(v(x), v(mean)), v(rstd));
  map.registerMap('LLLnDot', ['full', 'col', 'full', 'row', 'row'], mul(mul(v(0), v(1)), xhat(2, 3, 4)));
  map.registerMap('LLLnDg', ['full', 'full', 'row', 'row'], mul(v(0), xhat(1, 2, 3)));
  map.registerMap(
    'LLLnGrad',
    ['full', 'col', 'full', 'row', 'row', 'row', 'row'],
    mul(v(4), sub(sub(mul(v(0), v(1)), v(5)), mul(xhat(2, 3, 4), v(6)))),
  );
  // GELU: u = x·(C + AC·x²) and dx = dy·(s + x·s(1−s)·(C + 3AC·x²)).
  map.registerMap('LLGeluArg', ['full'], mul(v(0), add(k(GELU_C), mul(k(GELU_A * GELU_C), mul(v(0), v(0))))));
  const [dy, xv, sv] = [v(0), v(1), v(2)];
  const slope = add(k(GELU_C), mul(k(3 * GELU_A * GELU_C), mul(xv, xv)));
  map.registerMap(
    'LLGeluGrad',
    ['full', 'full', 'full'],
    mul(dy, add(sv, mul(mul(xv, mul(sv, sub(k(1), sv))), slope))),
  );
  // Softmax backward: scale·p·(dy − Σ_j dy·p), the row sum broadcast per row.
  map.registerMap('LLSoftmaxGrad', ['full', 'full', 'row'], mul(mul(v(1), attr('scale')), sub(v(0), v(2))));
}

/** LayerNorm over the last axis. x [N,d], g [d], b [d] -> [N,d]. */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  const fused = hostKernelsActive();
  const f = tf.customGrad((...args) => {
    const [xi, gi, bi] = args as tf.Tensor2D[];
    const { mean, variance } = tf.moments(xi, 1, true); // [N, 1]
    const rstd = tf.rsqrt(tf.add(variance, LN_EPS));
    if (fused) {
      (args[3] as Saver)([xi, gi, mean, rstd]);
      return {
        value: map.runMap('LLLayerNorm', [xi, mean, rstd, gi, bi]),
        // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·g; dg = Σ dy·x̂; db = Σ dy
        gradFunc: (dy: tf.Tensor, [xs, gs, ms, rs]: tf.Tensor[]) => {
          const m1 = tf.mean(map.runMap('LLMulCol', [dy, gs]), 1, true);
          const m2 = tf.mean(map.runMap('LLLnDot', [dy, gs, xs, ms, rs]), 1, true);
          const dx = map.runMap('LLLnGrad', [dy, gs, xs, ms, rs, m1, m2]);
          return [dx, colSum(map.runMap('LLLnDg', [dy, xs, ms, rs]) as tf.Tensor2D), colSum(dy as tf.Tensor2D)];
        },
      };
    }
    const xhat = tf.mul(tf.sub(xi, mean), rstd);
    (args[3] as Saver)([xhat, rstd, gi]);
    return {
      value: tf.add(tf.mul(xhat, gi), bi),
      gradFunc: (dy: tf.Tensor, [xh, rs, gs]: tf.Tensor[]) => {
        const dxhat = tf.mul(dy, gs);
        const m1 = tf.mean(dxhat, 1, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), 1, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
        return [dx, colSum(tf.mul(dy, xh) as tf.Tensor2D), colSum(dy as tf.Tensor2D)];
      },
    };
  });
  return f(x, g, b) as tf.Tensor2D;
}

/** GELU, tanh approximation, computed as x·σ(C(x + A x³)) (identical in exact arithmetic). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const fused = hostKernelsActive();
  const f = tf.customGrad((...args) => {
    const xi = args[0] as tf.Tensor;
    const u = fused
      ? map.runMap('LLGeluArg', [xi])
      : tf.mul(tf.mul(xi, tf.add(tf.mul(tf.square(xi), GELU_A), 1)), GELU_C);
    const s = tf.sigmoid(u);
    (args[1] as Saver)([xi, s]);
    return {
      value: tf.mul(xi, s),
      // d/dx = s + x·s(1−s)·C(1 + 3A x²)
      gradFunc: (dy: tf.Tensor, [xs, ss]: tf.Tensor[]) => {
        if (fused) return map.runMap('LLGeluGrad', [dy, xs, ss]);
        const k = tf.add(tf.mul(tf.square(xs), 3 * GELU_A * GELU_C), GELU_C);
        const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), tf.mul(xs, k));
        return tf.mul(dy, tf.add(ss, ds));
      },
    };
  });
  return f(x) as tf.Tensor2D;
}

/**
 * Whether the attention products can run on heads in place (wasm's LLHeadMatMul, kernels/wasm-kernels.ts): the
 * SIMD kernel's tile needs T and d/H to be multiples of 8. Elsewhere the heads are transposed out and back.
 */
function headsInPlace(seq: number, dh: number): boolean {
  return tf.getBackend() === 'wasm' && seq % 8 === 0 && dh % 8 === 0;
}

function headMatMul(
  kind: 'scores' | 'apply',
  a: tf.Tensor,
  b: tf.Tensor,
  heads: number,
  seq: number,
  transposeA = false,
) {
  return runKernel('LLHeadMatMul', [a, b], { kind, heads, seq, transposeA }) as tf.Tensor;
}

/** [B·T, d] -> [B, H, T, d/H]: the heads of an activation, transposed out. */
function splitHeads(t: tf.Tensor2D, batch: number, seq: number, heads: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(t, [batch, seq, heads, t.shape[1] / heads]), [0, 2, 1, 3]);
}

/**
 * Attention scores per head, q_h·k_hᵀ: q, k [B·T, d] -> [B, H, T, T]. On wasm (aligned shapes) the heads are read in
 * place; the values equal the transposing path's bit for bit (same kernel, same order over k), gradients too.
 */
export function headScores(q: tf.Tensor2D, k: tf.Tensor2D, batch: number, seq: number, heads: number): tf.Tensor4D {
  if (!headsInPlace(seq, q.shape[1] / heads)) {
    return tf.matMul(splitHeads(q, batch, seq, heads), splitHeads(k, batch, seq, heads), false, true);
  }
  const f = tf.customGrad((...args) => {
    const [qi, ki] = args as tf.Tensor[];
    (args[2] as Saver)([qi, ki]);
    return {
      value: headMatMul('scores', qi, ki, heads, seq),
      // dq_h = dS·k_h, dk_h = dSᵀ·q_h (tf.matMul's gradients, in the same order over the summed index)
      gradFunc: (dy: tf.Tensor, [qs, ks]: tf.Tensor[]) => [
        headMatMul('apply', dy, ks, heads, seq),
        headMatMul('apply', dy, qs, heads, seq, true),
      ],
    };
  });
  return f(q, k) as tf.Tensor4D;
}

/**
 * Attention output per head, p·v_h: p [B, H, T, T], v [B·T, d] -> [B·T, d] (heads side by side in each row, as
 * the output projection takes them). On wasm (aligned shapes) without transposes, bit-identical as headScores.
 */
export function headApply(p: tf.Tensor4D, v: tf.Tensor2D, batch: number, seq: number, heads: number): tf.Tensor2D {
  const d = v.shape[1];
  if (!headsInPlace(seq, d / heads)) {
    const y = tf.matMul(p, splitHeads(v, batch, seq, heads)); // [B, H, T, dh]
    return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch * seq, d]);
  }
  const f = tf.customGrad((...args) => {
    const [pi, vi] = args as tf.Tensor[];
    (args[2] as Saver)([pi, vi]);
    return {
      value: headMatMul('apply', pi, vi, heads, seq),
      // dp = dy_h·v_hᵀ, dv_h = pᵀ·dy_h
      gradFunc: (dy: tf.Tensor, [ps, vs]: tf.Tensor[]) => [
        headMatMul('scores', dy, vs, heads, seq),
        headMatMul('apply', ps, dy, heads, seq, true),
      ],
    };
  });
  return f(p, v) as tf.Tensor2D;
}

const maskCache = new Map<string, tf.Tensor2D>();

/** [T, T]: 0 on and below the diagonal, MASKED above. Cached per (backend, T), never disposed. */
function causalBias(t: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${t}`;
  let bias = maskCache.get(key);
  if (!bias || bias.isDisposed) {
    const v = new Float32Array(t * t);
    for (let i = 0; i < t; i++) v.fill(MASKED, i * t + i + 1, (i + 1) * t);
    bias = tf.keep(tf.tensor2d(v, [t, t]));
    maskCache.set(key, bias);
  }
  return bias;
}

/** softmax(scale·scores + causal mask) over the last axis. scores [..., T, T] -> same shape. */
export function causalSoftmax(scores: tf.Tensor, scale: number): tf.Tensor {
  const bias = causalBias(scores.shape[scores.shape.length - 1]);
  const fused = hostKernelsActive();
  const f = tf.customGrad((...args) => {
    const p = tf.softmax(tf.add(tf.mul(args[0] as tf.Tensor, scale), bias));
    (args[1] as Saver)([p]);
    return {
      value: p,
      // masked entries have p = 0, so their gradient is 0
      gradFunc: (dy: tf.Tensor, [ps]: tf.Tensor[]) => {
        const dot = tf.sum(tf.mul(dy, ps), -1, true);
        if (fused) return map.runMap('LLSoftmaxGrad', [dy, ps, dot], { scale });
        return tf.mul(tf.mul(ps, tf.sub(dy, dot)), scale);
      },
    };
  });
  return f(scores);
}

/**
 * Mean cross-entropy over the positions where mask = 1 (0 when none counts). logits [N,V];
 * targets, mask of length N. logsumexp is taken as max z − log(max softmax z): softmax is fast on wasm,
 * exp and logSoftmax are not. `denominator` replaces the count of those positions (gradient accumulation
 * divides every micro-batch by the whole batch's count, so that the micro-batches' gradients add up).
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: Int32Array,
  mask: Float32Array,
  denominator?: number,
): tf.Scalar {
  const [n, v] = logits.shape;
  let counted = 0;
  if (denominator !== undefined) counted = denominator;
  else for (let i = 0; i < n; i++) counted += mask[i];
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = counted > 0 ? mask[i] / counted : 0;
  const weights = tf.tensor2d(w, [n, 1]);
  // Built here rather than with tf.oneHot: tfjs-backend-wasm 4.22's OneHot ignores dtype 'float32' and
  // writes integer bits (1 → 1.4e-45), which silently turns the loss into logsumexp alone.
  const hot = new Float32Array(n * v);
  for (let i = 0; i < n; i++) hot[i * v + targets[i]] = 1;
  const onehot = tf.tensor2d(hot, [n, v]);
  const f = tf.customGrad((...args) => {
    const z = args[0] as tf.Tensor2D;
    const p = tf.softmax(z);
    // Saved, not closed over: the engine disposes forward intermediates before the backward pass.
    (args[1] as Saver)([p, onehot, weights]);
    const lse = tf.sub(tf.max(z, 1, true), tf.log(tf.max(p, 1, true))); // [N, 1]
    const zy = tf.sum(tf.mul(z, onehot), 1, true); // [N, 1]
    return {
      value: tf.sum(tf.mul(tf.sub(lse, zy), weights)),
      gradFunc: (dy: tf.Tensor, [ps, oh, ws]: tf.Tensor[]) => tf.mul(tf.mul(tf.sub(ps, oh), ws), dy),
    };
  });
  return f(logits) as tf.Scalar;
}

/** Row lookup: w [V,d], ids (length N) -> [N,d]. On cpu/wasm a host kernel (wasm GatherV2 is slow). */
export function embedding(w: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  if (!hostKernelsActive()) return tf.gather(w, tf.tensor1d(ids, 'int32'));
  const vocab = w.shape[0];
  const f = tf.customGrad((...args) => ({
    value: runHost('LLEmbedding', [args[0] as tf.Tensor], { ids })[0],
    gradFunc: (dy: tf.Tensor) => runHost('LLEmbeddingGrad', [dy], { ids, vocab })[0],
  }));
  return f(w) as tf.Tensor2D;
}
