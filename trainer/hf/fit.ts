/**
 * Will a run on a Hugging Face model fit its backend? The memory estimate of lib/estimate (the planner's)
 * from config.json's shapes, in float32 (the trainer trains in f32 whatever the stored dtype). The wasm
 * backend's heap is a 32-bit address space: at most 4 GiB, so a run that needs more is refused before
 * any weight is read, naming the bytes it needs and the backend that would hold it.
 */
import os from 'node:os';
import { estimateMemory, TFJS_OVERHEAD_BYTES, type MemoryEstimate } from '../../lib/estimate/memory';
import type { ModelShape as EstimateShape } from '../../lib/estimate/shapes';
import { shortLoraTargets, type TrainConfig } from '../../lib/protocol/config';
import { ConfigError } from '../config';
import type { HfShape } from './config';
import { inventoryShape } from './inventory';

const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** The shared parameter inventory's shape of the model (./inventory.ts), named after its architecture. */
function estimateShape(s: HfShape): EstimateShape {
  return { ...inventoryShape(s), name: s.architecture };
}

function hfMemory(c: TrainConfig, s: HfShape, seq: number): MemoryEstimate {
  return estimateMemory({
    shape: estimateShape(s),
    method: c.method,
    batch: c.batch,
    seq,
    precision: 'fp32',
    attention: 'eager',
    rank: c.rank,
    loraTargets: shortLoraTargets(c.lora_targets),
    loraEmbed: false,
    loraDropout: false,
    gamma: c.gamma,
    optimizerState: c.optimizer_state,
    switches: Math.ceil(c.steps / c.interval),
    overheadBytes: TFJS_OVERHEAD_BYTES,
  });
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Throws a one-line ConfigError when the run cannot fit the chosen backend. */
export function checkFits(c: TrainConfig, s: HfShape, seq: number, backend: string): void {
  if (backend !== 'wasm') return;
  const m = hfMemory(c, s, seq);
  if (m.peakBytes <= WASM_HEAP_BYTES) return;
  const ram = os.totalmem();
  const where =
    m.peakBytes < 0.8 * ram
      ? `--backend tensorflow (tfjs-node, this machine's ${gib(ram)} of memory) would fit it`
      : `it needs --backend tensorflow with a GPU of at least ${gib(m.peakBytes)} (tfjs-node-gpu), ` +
        'or a smaller batch/seq/method';
  const params = (m.params / 1e9).toFixed(2);
  throw new ConfigError(
    `${s.architecture} (${params} B parameters, ${c.method}, batch ${c.batch} × seq ${seq}, float32) needs about ` +
      `${Math.round(m.peakBytes)} bytes (${gib(m.peakBytes)}) but the wasm heap holds at most ` +
      `${WASM_HEAP_BYTES} bytes (4 GiB); ${where}`,
  );
}
