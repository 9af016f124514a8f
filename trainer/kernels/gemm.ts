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

/**
 * gemm(ap, rs, ks, bp, cp, mPanels, nPanels, K, ldc): C[MR·mPanels, NR·nPanels] = A·B_packed.
 * Loops over B panels outside: a packed B panel (K·NR floats) stays in L1 while A streams past.
 * (Measured against the other loop order, which keeps an A panel cached instead: no better, often worse.)
 */
function microKernel(accumulate: boolean): Code {
  // rs / ks: bytes between A rows / columns; ldc: bytes between C rows.
  const [ap, rs, ks, bp, cp, mPanels, nPanels, K, ldc] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [jp, ip, aPanel, a, b, kk, c, bPanel, rs2, rs3] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const acc = [19, 20, 21, 22, 23, 24, 25, 26];
  const [b0, b1, s] = [27, 28, 29];
  const cr = 30; // i32: walks the rows of the C tile
  const x = new Code();
  x.get(rs).get(rs).add().set(rs2).get(rs2).get(rs).add().set(rs3);
  x.i32(0).set(jp).get(bp).set(bPanel);
  x.loop(); // over B panels
  x.i32(0).set(ip).get(ap).set(aPanel);
  x.loop(); // over panels of MR rows of A
  // c = cp + ip*MR*ldc + jp*NR*4
  x.get(cp)
    .get(ip)
    .i32(MR)
    .mul()
    .get(ldc)
    .mul()
    .add()
    .get(jp)
    .i32(4 * NR)
    .mul()
    .add()
    .set(c);
  if (accumulate) {
    // C += A·B: start from the partial sums of the previous K block
    x.get(c).set(cr);
    for (let r = 0; r < MR; r++) {
      x.get(cr)
        .load(0)
        .set(acc[2 * r])
        .get(cr)
        .load(16)
        .set(acc[2 * r + 1]);
      if (r < MR - 1) x.get(cr).get(ldc).add().set(cr);
    }
  } else {
    for (const r of acc) x.zero().set(r);
  }
  x.get(aPanel).set(a).get(bPanel).set(b).get(K).set(kk);
  x.loop(); // over k
  x.get(b).load(0).set(b0).get(b).load(16).set(b1);
  for (let r = 0; r < MR; r++) {
    x.get(a);
    if (r > 0) x.get([rs, rs, rs2, rs3][r]).add();
    x.load32Splat(0).set(s);
    x.get(acc[2 * r])
      .get(s)
      .get(b0)
      .f32x4Mul()
      .f32x4Add()
      .set(acc[2 * r]);
    x.get(acc[2 * r + 1])
      .get(s)
      .get(b1)
      .f32x4Mul()
      .f32x4Add()
      .set(acc[2 * r + 1]);
  }
  x.get(a)
    .get(ks)
    .add()
    .set(a)
    .get(b)
    .i32(4 * NR)
    .add()
    .set(b);
  x.get(kk).i32(1).sub().tee(kk).brIf(0);
  x.end();
  for (let r = 0; r < MR; r++) {
    x.get(c)
      .get(acc[2 * r])
      .store(0)
      .get(c)
      .get(acc[2 * r + 1])
      .store(16);
    if (r < MR - 1) x.get(c).get(ldc).add().set(c);
  }
  x.get(aPanel).get(rs3).add().get(rs).add().set(aPanel);
  x.get(ip).i32(1).add().tee(ip).get(mPanels).ltU().brIf(0);
  x.end();
  x.get(bPanel)
    .get(K)
    .i32(4 * NR)
    .mul()
    .add()
    .set(bPanel);
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
    x.get(dst)
      .get(p)
      .f32Load(0)
      .f32Store(4 * c);
    if (c < NR - 1) x.get(p).get(colStep).add().set(p);
  }
  x.get(dst)
    .i32(4 * NR)
    .add()
    .set(dst)
    .get(row)
    .get(rowStep)
    .add()
    .set(row);
  x.get(k).i32(1).sub().tee(k).brIf(0);
  x.end();
  x.get(j).i32(NR).add().tee(j).get(N).ltU().brIf(0);
  x.end();
  return x;
}

/**
 * packA(src, dst, M, K, rs, ks): dst[i*K + k] = A(i, k), A(i, k) at src + i*rs + k*ks bytes: a row-major copy of
 * a K block of A, walking k outside so that the reads of a transposed A (rs = 4) are contiguous.
 */
function packAKernel(): Code {
  const [src, dst, M, K, rs, ks] = [0, 1, 2, 3, 4, 5];
  const [k, i, p, q] = [6, 7, 8, 9];
  const x = new Code();
  x.i32(0).set(k);
  x.loop(); // k
  x.get(src).get(k).get(ks).mul().add().set(p);
  x.get(dst).get(k).i32(4).mul().add().set(q);
  x.get(M).set(i);
  x.loop(); // i
  x.get(q).get(p).f32Load(0).f32Store(0);
  x.get(p).get(rs).add().set(p).get(q).get(K).i32(4).mul().add().set(q);
  x.get(i).i32(1).sub().tee(i).brIf(0);
  x.end();
  x.get(k).i32(1).add().tee(k).get(K).ltU().brIf(0);
  x.end();
  return x;
}

type Fn = (...args: number[]) => void;

/** Where the matrices of a grid of products start and how they are laid out, in floats (see matmulStrided). */
export interface Strided {
  /** First element of the first matrix. */
  off: number;
  /** Between consecutive outer / inner matrices of the grid. */
  outer: number;
  inner: number;
  /** Between rows / columns of one matrix. */
  row: number;
  col: number;
}

/** Where the kernels' scratch space (packed B, padded copies) comes from. */
export interface Scratch {
  malloc(bytes: number): number;
  free(ptr: number): void;
}

/**
 * Matmuls over float32 operands in a WebAssembly memory: by default its own, or — the point — the
 * tfjs wasm backend's heap, so tensors are read and written in place with no copies.
 */
export class SimdGemm {
  readonly memory: WebAssembly.Memory;
  private readonly scratch: Scratch;
  private readonly kernel: Fn;
  private readonly kernelAcc: Fn;
  /** K is split into blocks of this size (0: never) so a packed B panel stays in L1. */
  kBlock = 256;
  private readonly pack: Fn;
  private readonly packA: Fn;
  /**
   * A transposed A with rows at least this many floats apart (M) is copied row-major per K block first: read in
   * place, its k walk strides M·4 bytes, and at 1-4 KiB strides the lines of a panel fall into a few L1 sets
   * (1024x1024ᵀ·1024x256 ran at half the speed of the untransposed product). 0: never.
   */
  packAFrom = 1024;
  private scratchA = 0;
  private scratchABytes = 0;
  private scratchPtr = 0;
  private scratchBytes = 0;
  private ioPtr = 0;
  private ioBytes = 0;

  constructor(memory?: WebAssembly.Memory, scratch?: Scratch) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 16 });
    this.scratch = scratch ?? ownScratch(this.memory);
    const gemmParams = {
      params: new Array(9).fill(I32),
      locals: [
        [10, I32],
        [11, V128],
        [1, I32],
      ] as Array<[number, number]>,
    };
    const bytes = buildModule([
      { name: 'gemm', ...gemmParams, body: microKernel(false) },
      { name: 'gemmAcc', ...gemmParams, body: microKernel(true) },
      { name: 'pack', params: new Array(6).fill(I32), locals: [[4, I32]], body: packKernel() },
      { name: 'packA', params: new Array(6).fill(I32), locals: [[4, I32]], body: packAKernel() },
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: this.memory } });
    this.kernel = instance.exports.gemm as Fn;
    this.kernelAcc = instance.exports.gemmAcc as Fn;
    this.pack = instance.exports.pack as Fn;
    this.packA = instance.exports.packA as Fn;
  }

  /** Byte address of a scratch region of at least `floats` floats (reused between calls). */
  private reserve(floats: number): number {
    const bytes = floats * 4 + 64;
    if (bytes > this.scratchBytes) {
      if (this.scratchBytes > 0) this.scratch.free(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, this.scratchBytes * 2);
      this.scratchPtr = this.scratch.malloc(this.scratchBytes);
    }
    return align16(this.scratchPtr);
  }

  /** Byte address of a second scratch region, for copies of A (reused between calls). */
  private reserveA(floats: number): number {
    const bytes = floats * 4 + 64;
    if (bytes > this.scratchABytes) {
      if (this.scratchABytes > 0) this.scratch.free(this.scratchA);
      this.scratchABytes = Math.max(bytes, this.scratchABytes * 2);
      this.scratchA = this.scratch.malloc(this.scratchABytes);
    }
    return align16(this.scratchA);
  }

  /**
   * For i < batch: C_i = A_i · B_i with every operand a float offset into this.memory. A_i is [M,K]
   * ([K,M] when transA) at aOff + i·M·K (A_0 for all i when !aBatched); likewise B_i [K,N] ([N,K] when
   * transB); C_i [M,N] at outOff + i·M·N.
   */
  matmulAt(
    aOff: number,
    bOff: number,
    outOff: number,
    batch: number,
    M: number,
    K: number,
    N: number,
    transA: boolean,
    transB: boolean,
    aBatched = true,
    bBatched = true,
  ): void {
    if (M % MR !== 0 || N % NR !== 0 || K === 0) {
      // Padding needed: work on copies with slack (kernels read past the end of A and B there).
      const view = new Float32Array(this.memory.buffer);
      const aLen = (aBatched ? batch : 1) * M * K;
      const bLen = (bBatched ? batch : 1) * K * N;
      this.padded(
        view.slice(aOff, aOff + aLen),
        view.slice(bOff, bOff + bLen),
        outOff,
        batch,
        M,
        K,
        N,
        transA,
        transB,
        aBatched,
        bBatched,
      );
      return;
    }
    const kc = this.kBlock > 0 && K > 2 * this.kBlock ? this.kBlock : K;
    const packed = this.reserve(kc * N) / 4;
    const [rs, ks] = transA ? [4, M * 4] : [K * 4, 4];
    const [rowStep, colStep] = transB ? [4, K * 4] : [N * 4, 4];
    // The copy changes where A is read from, not what is summed or in which order: results are bit-identical.
    const copyA = transA && this.packAFrom > 0 && M >= this.packAFrom;
    const aCopy = copyA ? this.reserveA(M * kc) : 0;
    for (let i = 0; i < batch; i++) {
      const ai = aOff + (aBatched ? i * M * K : 0);
      const bi = bOff + (bBatched ? i * K * N : 0);
      for (let k0 = 0; k0 < K; k0 += kc) {
        const kn = Math.min(kc, K - k0);
        if (kc < K || i === 0 || bBatched) this.pack(bi * 4 + k0 * rowStep, packed * 4, kn, N, rowStep, colStep);
        const kernel = k0 === 0 ? this.kernel : this.kernelAcc;
        const c = (outOff + i * M * N) * 4;
        if (copyA) {
          this.packA(ai * 4 + k0 * ks, aCopy, M, kn, rs, ks);
          kernel(aCopy, kn * 4, 4, packed * 4, c, M / MR, N / NR, kn, N * 4);
        } else kernel(ai * 4 + k0 * ks, rs, ks, packed * 4, c, M / MR, N / NR, kn, N * 4);
      }
    }
  }

  /**
   * C_{o,i} = A_{o,i} · B_{o,i} for a grid of outer × inner products whose operands sit anywhere in this.memory
   * at the given float strides (`row`: between rows, `col`: between columns; the k axis is A's columns and B's
   * rows), C's columns contiguous. The attention products use it to read each head of a [B·T, d] activation in
   * place and to write into one, with no transposes. The same micro-kernel and k order as matmulAt, so every
   * element is bit-identical to matmulAt on contiguous copies. M must be a multiple of 4 and N of 8.
   */
  matmulStrided(a: Strided, b: Strided, c: Strided, outer: number, inner: number, M: number, K: number, N: number) {
    if (M % MR !== 0 || N % NR !== 0 || K === 0) {
      throw new Error(`matmulStrided needs M % ${MR} = 0, N % ${NR} = 0 and K > 0 (got ${M}, ${N}, ${K})`);
    }
    if (c.col !== 1) throw new Error('matmulStrided writes C with contiguous columns');
    const kc = this.kBlock > 0 && K > 2 * this.kBlock ? this.kBlock : K;
    const packed = this.reserve(kc * N);
    const [rs, ks] = [a.row * 4, a.col * 4];
    const [rowStep, colStep] = [b.row * 4, b.col * 4];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const ai = (a.off + o * a.outer + i * a.inner) * 4;
        const bi = (b.off + o * b.outer + i * b.inner) * 4;
        const ci = (c.off + o * c.outer + i * c.inner) * 4;
        for (let k0 = 0; k0 < K; k0 += kc) {
          const kn = Math.min(kc, K - k0);
          this.pack(bi + k0 * rowStep, packed, kn, N, rowStep, colStep);
          (k0 === 0 ? this.kernel : this.kernelAcc)(ai + k0 * ks, rs, ks, packed, ci, M / MR, N / NR, kn, c.row * 4);
        }
      }
    }
  }

  /** Shapes that are not multiples of the tile: copies with padding rows / columns, results copied back. */
  private padded(
    a: Float32Array,
    b: Float32Array,
    outOff: number,
    batch: number,
    M: number,
    K: number,
    N: number,
    transA: boolean,
    transB: boolean,
    aBatched: boolean,
    bBatched: boolean,
  ): void {
    const Mp = Math.ceil(M / MR) * MR;
    const Np = Math.ceil(N / NR) * NR;
    // Layout: A (+ slack), B (+ slack), packed B, C. Padding rows of A and padding columns of B read
    // whatever follows them; they only feed padding rows / columns of C, which are never copied out.
    const aIdx = 0;
    const bIdx = a.length + MR * K + 4;
    const pIdx = bIdx + b.length + NR * K + 4;
    const cIdx = pIdx + Np * K;
    const base = this.reserve(cIdx + Mp * Np) / 4;
    let view = new Float32Array(this.memory.buffer);
    if (K === 0) {
      view.fill(0, outOff, outOff + batch * M * N);
      return;
    }
    view.set(a, base + aIdx);
    view.set(b, base + bIdx);
    const [rs, ks] = transA ? [4, M * 4] : [K * 4, 4];
    const [rowStep, colStep] = transB ? [4, K * 4] : [N * 4, 4];
    for (let i = 0; i < batch; i++) {
      const ai = base + aIdx + (aBatched ? i * M * K : 0);
      const bi = base + bIdx + (bBatched ? i * K * N : 0);
      if (i === 0 || bBatched) this.pack(bi * 4, (base + pIdx) * 4, K, Np, rowStep, colStep);
      this.kernel(ai * 4, rs, ks, (base + pIdx) * 4, (base + cIdx) * 4, Mp / MR, Np / NR, K, Np * 4);
      view = new Float32Array(this.memory.buffer);
      for (let r = 0; r < M; r++) {
        const from = base + cIdx + r * Np;
        view.copyWithin(outOff + (i * M + r) * N, from, from + N);
      }
    }
  }

  /** Convenience for operands in ordinary arrays (tests): copies them in and the result out. */
  matmul(
    src: Float32Array,
    aOff: number,
    bOff: number,
    out: Float32Array,
    outOff: number,
    batch: number,
    M: number,
    K: number,
    N: number,
    transA: boolean,
    transB: boolean,
    aBatched = true,
    bBatched = true,
  ): void {
    const aLen = (aBatched ? batch : 1) * M * K;
    const bLen = (bBatched ? batch : 1) * K * N;
    const cLen = batch * M * N;
    const bytes = (aLen + bLen + cLen) * 4 + 16;
    if (bytes > this.ioBytes) {
      if (this.ioBytes > 0) this.scratch.free(this.ioPtr);
      this.ioBytes = bytes;
      this.ioPtr = this.scratch.malloc(bytes);
    }
    const region = align16(this.ioPtr) / 4;
    const view = new Float32Array(this.memory.buffer);
    view.set(src.subarray(aOff, aOff + aLen), region);
    view.set(src.subarray(bOff, bOff + bLen), region + aLen);
    this.matmulAt(region, region + aLen, region + aLen + bLen, batch, M, K, N, transA, transB, aBatched, bBatched);
    out.set(new Float32Array(this.memory.buffer).subarray(region + aLen + bLen, region + aLen + bLen + cLen), outOff);
  }
}

/**
 * The next multiple of 16 at or above a byte address of a 32-bit wasm heap. Arithmetic, not `& ~15`: the heap may
 * pass 2 GiB, and JavaScript's bitwise operators work on signed 32-bit integers, so an address of 2 GiB or more
 * would turn negative. An address that arrives signed (a wasm i32 result) is read as unsigned first.
 */
export function align16(address: number): number {
  return Math.ceil((address >>> 0) / 16) * 16;
}

/** A bump allocator over a private memory, growing it as needed; nothing is ever freed (few, reused blocks). */
function ownScratch(memory: WebAssembly.Memory): Scratch {
  let top = 0;
  return {
    malloc(bytes) {
      const ptr = align16(top);
      top = ptr + bytes;
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      return ptr;
    },
    free() {},
  };
}
