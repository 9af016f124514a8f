/**
 * A Hugging Face shape as the shared parameter inventory's `ModelShape` (lib/protocol/inventory.ts), so
 * that the planner counts what trainer/hf builds. GPT-2's `c_attn` is the inventory's fused qkv linear.
 */
import type { LinearBiases, ModelShape } from '../../lib/protocol/inventory';
import type { HfShape } from './config';
import { ModelError } from './errors';

function biases(hf: HfShape): LinearBiases {
  if (hf.family === 'gpt2') return 'all';
  if (!hf.qkvBias && !hf.oBias && !hf.mlpBias) return 'none';
  if (hf.qkvBias && !hf.oBias && !hf.mlpBias) return 'qkv';
  if (hf.qkvBias && hf.oBias && !hf.mlpBias) return 'attention';
  if (hf.qkvBias && hf.oBias && hf.mlpBias) return 'all';
  const which = `q/k/v ${hf.qkvBias}, o ${hf.oBias}, MLP ${hf.mlpBias}`;
  throw new ModelError(`${hf.architecture}: biases on ${which} cannot be planned`);
}

export function inventoryShape(hf: HfShape): ModelShape {
  const gpt2 = hf.family === 'gpt2';
  return {
    name: hf.modelType,
    layers: hf.layers,
    hidden: hf.d,
    intermediate: hf.ffn,
    heads: hf.heads,
    kvHeads: hf.kvHeads,
    headDim: hf.headDim,
    vocab: hf.vocab,
    positions: gpt2 ? hf.ctx : 0,
    tied: hf.tied,
    mlp: gpt2 ? 'gelu' : 'swiglu',
    norm: gpt2 ? 'layernorm' : 'rmsnorm',
    parallel: false,
    biases: biases(hf),
    fusedQkv: gpt2,
    headBias: false,
    family: gpt2 ? 'gpt2' : 'llama',
    ctx: hf.ctx,
  };
}
