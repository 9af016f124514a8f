/**
 * Will a run fit its backend? The memory estimate of lib/estimate (the planner's) from the model's shapes: a
 * preset's, or a Hugging Face config.json's through the shared inventory, in float32 (the trainer trains in f32
 * whatever the stored dtype). The wasm backend's heap is a 32-bit address space: at most 4 GiB, so a run that
 * needs more is refused before any weight is read, naming the bytes it needs and the backend that would hold it.
 * The sweep planner asks the same question at submission (lib/sweep/model.ts), so no run is queued to fail.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { estimateMemory, TFJS_OVERHEAD_BYTES, type MemoryEstimate } from '../../lib/estimate/memory';
import type { ModelShape as EstimateShape } from '../../lib/estimate/shapes';
import { shortLoraTargets, type TrainConfig } from '../../lib/protocol/config';
import { presetShape } from '../../lib/protocol/inventory';
import { ConfigError } from '../config';
import type { HfShape } from './config';
import { inventoryShape } from './inventory';

/** The most the wasm heap of tfjs-backend-wasm 4.22 can grow to (its getHeapMax()). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** The shape the estimate counts: the model folder's (named after its architecture), else the preset's. */
export function runShape(c: Pick<TrainConfig, 'preset'>, hf: HfShape | null): EstimateShape {
  return hf
    ? { ...inventoryShape(hf), name: hf.architecture }
    : { ...presetShape(c.preset), name: `preset ${c.preset}` };
}

export function runMemory(c: TrainConfig, shape: EstimateShape, seq: number): MemoryEstimate {
  return estimateMemory({
    shape,
    method: c.method,
    batch: c.batch,
    seq,
    precision: 'fp32',
    attention: 'eager',
    rank: c.rank,
    loraTargets: shortLoraTargets(c.lora_targets),
    loraDropout: false,
    loraTrainEmbed: c.lora_train_embed,
    gamma: c.gamma,
    optimizerState: c.optimizer_state,
    switches: Math.ceil(Math.max(c.steps, 1) / c.interval),
    overheadBytes: TFJS_OVERHEAD_BYTES,
  });
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Transient heap of a step on wasm per byte of the estimate's kept activations (see wasmHeapBytes). */
export const WASM_TRANSIENT_FACTOR = 2.5;

/**
 * What the wasm heap must hold for the run: more than the estimate, which counts the tensors a step keeps
 * (measured on GPT-2 small's shape, LoRA r = 8, batch 4 × seq 128: a heap of 3,359 MiB where the estimate
 * said 1,739 MiB; docs/benchmarks.md, "GPT-2 small's shape"). The difference:
 * - the W₀ copy of every weight the method can train (the norm traces' reference, setup.ts): full and LISA
 *   all weights, LoRA only a trained embedding;
 * - the step's transient tensors, WASM_TRANSIENT_FACTOR × the kept activations instead of 1×: the logits'
 *   softmax, one-hot, product and gradients are each [B·T, V], and the heap keeps its high-water mark (it never
 *   shrinks, and a block freed between larger ones is reused only by smaller ones);
 * - the gemm kernel's scratch for the head when the vocabulary is not a multiple of 8: a padded copy of the
 *   head weight and its packed form, 2 × V × d floats (kernels/gemm.ts).
 */
export function wasmHeapBytes(c: TrainConfig, shape: EstimateShape, m: MemoryEstimate): number {
  const embed = shape.vocab * shape.hidden * 4;
  const reference = c.method === 'lora' ? (c.lora_train_embed ? embed : 0) : m.breakdown.weights;
  const transient = (WASM_TRANSIENT_FACTOR - 1) * m.breakdown.activations;
  const scratch = shape.vocab % 8 === 0 ? 0 : 2 * embed;
  return m.peakBytes + reference + transient + scratch;
}

/**
 * Why the run cannot fit `backend` (the backend it will run on, `auto` resolved), or null when it fits. Only the
 * wasm heap has a hard ceiling; tfjs-node takes what the machine (or the GPU) has.
 */
export function fitProblem(c: TrainConfig, shape: EstimateShape, seq: number, backend: string): string | null {
  if (backend !== 'wasm') return null;
  const m = runMemory(c, shape, seq);
  const heap = wasmHeapBytes(c, shape, m);
  if (heap <= WASM_HEAP_BYTES) return null;
  const ram = os.totalmem();
  const where =
    m.peakBytes < 0.8 * ram
      ? `--backend tensorflow (tfjs-node, this machine's ${gib(ram)} of memory) would fit it`
      : `it needs --backend tensorflow with a GPU of at least ${gib(m.peakBytes)} (tfjs-node-gpu), ` +
        'or a smaller batch/seq/method';
  const params = (m.params / 1e9).toFixed(2);
  return (
    `${shape.name} (${params} B parameters, ${c.method}, batch ${c.batch} × seq ${seq}, float32) needs about ` +
    `${Math.round(heap)} bytes (${gib(heap)}) but the wasm heap holds at most ` +
    `${WASM_HEAP_BYTES} bytes (4 GiB); ${where}`
  );
}

/** Throws a one-line ConfigError when the run cannot fit the chosen backend. */
export function checkFits(c: TrainConfig, shape: EstimateShape, seq: number, backend: string): void {
  const problem = fitProblem(c, shape, seq, backend);
  if (problem) throw new ConfigError(problem);
}

/** --save-hf / --merge-lora: what can be exported; --template: what needs a model folder's tokenizer. */
export function checkHfExport(c: TrainConfig): void {
  if (c.template !== undefined && c.template !== 'alpaca') {
    if (!c.model_path) {
      throw new ConfigError(
        `--template ${c.template} needs --model DIR: the byte tokenizer of the presets has no chat`,
      );
    }
    if (c.template !== 'chat' && !existsSync(c.template)) {
      throw new ConfigError(`--template: no such file ${c.template} (give alpaca, chat or a Jinja template file)`);
    }
  }
  if (c.save_hf && !c.model_path)
    throw new ConfigError('--save-hf writes a Hugging Face folder: it needs a run from --model DIR');
  if (c.merge_lora && (c.method !== 'lora' || !c.save_hf))
    throw new ConfigError('--merge-lora needs --method lora and --save-hf');
  if (c.save_hf && c.method === 'lora' && c.lora_train_embed && !c.merge_lora) {
    throw new ConfigError(
      'a PEFT adapter cannot hold the trained embedding: add --merge-lora to --save-hf with --lora-train-embed',
    );
  }
}
