/**
 * Single-threaded float32 matmul on WebAssembly SIMD, generated at start-up (wasm-emit.ts).
 *
 * Why: tfjs-backend-wasm runs XNNPACK only for 2-D, non-transposed operands; transposed and batched
 * products (every gradient matmul, every attention matmul) fall to a scalar loop at ~1 GFLOP/s.
 * This kernel reads A in place through row/column strides (so A may be transposed for free), packs B
 * into 8-column panels (transposing when asked), and runs a 4x8 register-blocked micro-kernel: per k,
 * two B vectors, four splatted A values, eight multiply-adds. (Measured on these machines against
 * 6x8, 4x12, 2x16 tiles and k-unrolling: 4x8 without unrolling was fastest, ~25-30 GFLOP/s.)
 */
import { Code, I32, V128, buildModule } from './wasm-emit';

const MR = 4;
const NR = 8;

/** gemm(ap, rs, ks, bp, cp, mPanels, nPanels, K, ldc): C[MR·mPanels, NR·nPanels] = A·B_packed. */
function microKernel(): Code {
  // rs / ks: bytes between A rows / columns; ldc: bytes between C rows.
  const [ap, rs, ks, bp, cp, mPanels, nPanels, K, ldc] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [jp, ip, aPanel, a, b, kk, c, bPanel, rs2, rs3] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const acc = [19, 20, 21, 22, 23, 24, 25, 26];
  const [b0, b1, s] = [27, 28, 29];
  const x = new Code();
  x.get(rs).get(rs).add().set(rs2).get(rs2).get(rs).add().set(rs3);
  x.i32(0).set(jp).get(bp).set(bPanel);
  x.loop(); // over B panels (outer: a packed B panel stays in L1 while A rows stream past)
  x.i32(0).set(ip).get(ap).set(aPanel);
  x.loop(); // over panels of MR rows of A
  for (const r of acc) x.zero().set(r);
  x.get(aPanel).set(a).get(bPanel).set(b).get(K).set(kk);
  x.loop(); // over k
  x.get(b).load(0).set(b0).get(b).load(16).set(b1);
  for (let r = 0; r < MR; r++) {
    x.get(a);
    if (r > 0) x.get([rs, rs, rs2, rs3][r]).add();
    x.load32Splat(0).set(s);
    x.get(acc[2 * r]).get(s).get(b0).f32x4Mul().f32x4Add().set(acc[2 * r]);
    x.get(acc[2 * r + 1]).get(s).get(b1).f32x4Mul().f32x4Add().set(acc[2 * r + 1]);
  }
  x.get(a).get(ks).add().set(a).get(b).i32(4 * NR).add().set(b);
  x.get(kk).i32(1).sub().tee(kk).brIf(0);
  x.end();
  // c = cp + ip*MR*ldc + jp*NR*4
  x.get(cp).get(ip).i32(MR).mul().get(ldc).mul().add().get(jp).i32(4 * NR).mul().add().set(c);
  for (let r = 0; r < MR; r++) {
    x.get(c).get(acc[2 * r]).store(0).get(c).get(acc[2 * r + 1]).store(16);
    if (r < MR - 1) x.get(c).get(ldc).add().set(c);
  }
  x.get(aPanel).get(rs3).add().get(rs).add().set(aPanel);
  x.get(ip).i32(1).add().tee(ip).get(mPanels).ltU().brIf(0);
  x.end();
  x.get(bPanel).get(K).i32(4 * NR).mul().add().set(bPanel);
  x.get(jp).i32(1).add().tee(jp).get(nPanels).ltU().brIf(0);
  x.end();
  return x;
}

/**
 * packB(src, dst, K, N, rowStep, colStep): dst[(jp*K + k)*NR + c] = B(k, jp*NR + c), N a multiple of
 * NR, where B(k, j) lives at src + k*rowStep + j*colStep bytes (B, or Bᵀ stored row-major).
 */
function packKernel(): Code {
  const [src, dst, K, N, rowStep, colStep] = [0, 1, 2, 3, 4, 5];
  const [j, k, p, row] = [6, 7, 8, 9];
  const x = new Code();
  x.i32(0).set(j);
  x.loop(); // panels
  x.get(src).get(j).get(colStep).mul().add().set(row).get(K).set(k);
  x.loop(); // k
  x.get(row).set(p);
  for (let c = 0; c < NR; c++) {
    x.get(dst).get(p).f32Load(0).f32Store(4 * c);
    if (c < NR - 1) x.get(p).get(colStep).add().set(p);
  }
  x.get(dst).i32(4 * NR).add().set(dst).get(row).get(rowStep).add().set(row);
  x.get(k).i32(1).sub().tee(k).brIf(0);
  x.end();
  x.get(j).i32(NR).add().tee(j).get(N).ltU().brIf(0);
  x.end();
  return x;
}

type Fn = (...args: number[]) => void;

/** Matmuls over operands that live in a caller's Float32Array (e.g. the tfjs wasm heap). */
export class SimdGemm {
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: Fn;
  private readonly pack: Fn;
  private heap: Float32Array;

  constructor() {
    const bytes = buildModule(
      [
        { name: 'gemm', params: new Array(9).fill(I32), locals: [[10, I32], [11, V128]], body: microKernel() },
        { name: 'pack', params: new Array(6).fill(I32), locals: [[4, I32]], body: packKernel() },
      ],
      16,
    );
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {});
    this.memory = instance.exports.mem as WebAssembly.Memory;
    this.kernel = instance.exports.gemm as Fn;
    this.pack = instance.exports.pack as Fn;
    this.heap = new Float32Array(this.memory.buffer);
  }

  private reserve(floats: number): Float32Array {
    const need = floats * 4;
    if (need > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / 65536));
    }
    if (this.heap.buffer !== this.memory.buffer) this.heap = new Float32Array(this.memory.buffer);
    return this.heap;
  }

  /**
   * For i < batch: out[outOff + i·M·N …] = A_i · B_i, where A_i is [M,K] ([K,M] when transA) at
   * src[aOff + i·M·K …] (or A_0 for every i when !aBatched), and likewise B_i [K,N] ([N,K] when transB).
   */
  matmul(
    src: Float32Array, aOff: number, bOff: number, out: Float32Array, outOff: number, batch: number,
    M: number, K: number, N: number, transA: boolean, transB: boolean, aBatched = true, bBatched = true,
  ): void {
    if (K === 0) {
      out.fill(0, outOff, outOff + batch * M * N);
      return;
    }
    const mPanels = Math.ceil(M / MR);
    const nPanels = Math.ceil(N / NR);
    const Mp = mPanels * MR;
    const Np = nPanels * NR;
    const aLen = (aBatched ? batch : 1) * M * K;
    const bLen = (bBatched ? batch : 1) * K * N;
    // Layout: A as given (+ slack for reads of padding rows), B as given, B packed, C.
    const aIdx = 0;
    const bIdx = aLen + MR * K + 4;
    const pIdx = bIdx + bLen + NR * K;
    const cIdx = pIdx + Np * K;
    const exact = Mp === M && Np === N; // C can be written straight into its final layout
    const heap = this.reserve(cIdx + batch * Mp * Np);
    heap.set(src.subarray(aOff, aOff + aLen), aIdx);
    heap.set(src.subarray(bOff, bOff + bLen), bIdx);
    const [rs, ks] = transA ? [4, M * 4] : [K * 4, 4];
    // B(k, j) at byte offset k*rowStep + j*colStep. Padding rows of A and padding columns of B read
    // whatever follows them (hence the slack): they only feed padding rows / columns of C, never copied out.
    const [rowStep, colStep] = transB ? [4, K * 4] : [N * 4, 4];
    for (let i = 0; i < batch; i++) {
      const ai = aIdx + (aBatched ? i * M * K : 0);
      const bi = bIdx + (bBatched ? i * K * N : 0);
      if (i === 0 || bBatched) this.pack(bi * 4, pIdx * 4, K, Np, rowStep, colStep);
      const ci = cIdx + i * Mp * Np;
      this.kernel(ai * 4, rs, ks, pIdx * 4, ci * 4, mPanels, nPanels, K, Np * 4);
      if (!exact) {
        for (let r = 0; r < M; r++) out.set(heap.subarray(ci + r * Np, ci + r * Np + N), outOff + (i * M + r) * N);
      }
    }
    if (exact) out.set(heap.subarray(cIdx, cIdx + batch * M * N), outOff);
  }
}
