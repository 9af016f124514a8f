import { describe, expect, it } from 'vitest';
import {
  baseInventory,
  countParams,
  inventoryGroups,
  loraInventory,
  methodCounts,
  presetShape,
  type ModelShape,
} from './inventory';

const gpt2: ModelShape = {
  name: 'gpt2',
  layers: 12,
  hidden: 768,
  intermediate: 3072,
  heads: 12,
  kvHeads: 12,
  vocab: 50257,
  positions: 1024,
  tied: true,
  mlp: 'gelu',
  norm: 'layernorm',
  parallel: false,
  biases: 'all',
  headBias: false,
  family: 'gpt2',
  ctx: 1024,
};
const llama = (o: Partial<ModelShape>): ModelShape => ({
  name: 'llama',
  layers: 32,
  hidden: 4096,
  intermediate: 11008,
  heads: 32,
  kvHeads: 32,
  vocab: 32000,
  positions: 0,
  tied: false,
  mlp: 'swiglu',
  norm: 'rmsnorm',
  parallel: false,
  biases: 'none',
  headBias: false,
  family: 'llama',
  ctx: 4096,
  ...o,
});

describe('parameter inventory', () => {
  // Exact totals of the published checkpoints (sum of the tensors in their safetensors files, tied head once).
  it.each([
    ['GPT-2 124M', gpt2, 124_439_808],
    ['Llama-2-7B', llama({}), 6_738_415_616],
    ['TinyLlama-1.1B', llama({ layers: 22, hidden: 2048, intermediate: 5632, kvHeads: 4 }), 1_100_048_384],
    ['Mistral-7B-v0.1', llama({ intermediate: 14336, kvHeads: 8 }), 7_241_732_096],
    [
      'Qwen2-0.5B',
      llama({
        layers: 24,
        hidden: 896,
        intermediate: 4864,
        heads: 14,
        kvHeads: 2,
        vocab: 151936,
        tied: true,
        biases: 'qkv',
      }),
      494_032_768,
    ],
    [
      'Phi-2',
      {
        ...gpt2,
        layers: 32,
        hidden: 2560,
        intermediate: 10240,
        heads: 32,
        kvHeads: 32,
        vocab: 51200,
        positions: 0,
        tied: false,
        parallel: true,
        headBias: true,
        family: 'phi',
      } as ModelShape,
      2_779_683_840,
    ],
  ] as const)('%s counts its published total', (_n, shape, total) => {
    expect(countParams(baseInventory(shape))).toBe(total);
  });

  it('lists the trainer preset: untied head, no linear biases, names the checkpoints use', () => {
    const inv = baseInventory(presetShape('nano'));
    expect(countParams(inv)).toBe(67_136);
    expect(inv.slice(0, 8).map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'wte:256x32',
      'wpe:32x32',
      'block.0.ln1.g:32',
      'block.0.ln1.b:32',
      'block.0.attn.q:32x32',
      'block.0.attn.k:32x32',
      'block.0.attn.v:32x32',
      'block.0.attn.o:32x32',
    ]);
    expect(inv.filter((p) => p.kind === 'bias')).toEqual([]);
    expect(inv.at(-1)).toMatchObject({ name: 'head', group: 'head', shape: [32, 256] });
    expect(inventoryGroups(inv)).toEqual(['embed', 'pos', 'block.0', 'block.1', 'block.2', 'block.3', 'lnf', 'head']);
  });

  it('gives GQA k/v their narrow width, biases their own tensors, and a tied model no head', () => {
    const tiny = { layers: 1, hidden: 64, intermediate: 128, heads: 8, kvHeads: 2 };
    const qwen = baseInventory(llama({ ...tiny, tied: true, biases: 'qkv' }));
    const names = qwen.map((p) => `${p.name}:${p.shape.join('x')}`);
    expect(names).toEqual([
      'wte:32000x64',
      'block.0.ln1.g:64',
      'block.0.attn.q:64x64',
      'block.0.attn.q.b:64',
      'block.0.attn.k:64x16',
      'block.0.attn.k.b:16',
      'block.0.attn.v:64x16',
      'block.0.attn.v.b:16',
      'block.0.attn.o:64x64',
      'block.0.ln2.g:64',
      'block.0.mlp.gate:64x128',
      'block.0.mlp.up:64x128',
      'block.0.mlp.down:128x64',
      'lnf.g:64',
    ]);
    expect(() => baseInventory(llama({ heads: 32, kvHeads: 5 }))).toThrow(/do not divide evenly/);
  });

  it("puts LoRA adapters on weights only, SwiGLU's three MLP linears under target mlp", () => {
    const base = baseInventory({ ...gpt2, layers: 1 });
    const adapters = loraInventory(base, { rank: 4, targets: ['v', 'mlp'] });
    expect(adapters.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'block.0.attn.v.lora_a:768x4',
      'block.0.attn.v.lora_b:4x768',
      'block.0.mlp.fc.lora_a:768x4',
      'block.0.mlp.fc.lora_b:4x3072',
      'block.0.mlp.proj.lora_a:3072x4',
      'block.0.mlp.proj.lora_b:4x768',
    ]);
    const swiglu = loraInventory(baseInventory(llama({ layers: 2 })), { rank: 8, targets: ['mlp'] });
    expect(swiglu.filter((p) => p.role === 'lora_a').map((p) => p.adapts)).toEqual([
      'block.0.mlp.gate',
      'block.0.mlp.up',
      'block.0.mlp.down',
      'block.1.mlp.gate',
      'block.1.mlp.up',
      'block.1.mlp.down',
    ]);
  });

  it('counts what each method trains: LISA always includes the untied head', () => {
    const s = presetShape('nano');
    const d = 32;
    const block = 2 * 2 * d + 4 * d * d + 2 * 4 * d * d;
    const always = 256 * d + 32 * d + 2 * d + d * 256;
    expect(methodCounts(s, { method: 'lisa', gamma: 2 })).toEqual({ params: 67_136, trainable: always + 2 * block });
    expect(methodCounts(s, { method: 'lisa', gamma: 9 }).trainable).toBe(67_136);
    const lora = methodCounts(s, { method: 'lora', rank: 2, loraTargets: ['q'], loraTrainEmbed: true });
    expect(lora).toEqual({ params: 67_136 + 4 * 2 * (d + d), trainable: 4 * 2 * (d + d) + 2 * 256 * d });
  });

  it('keeps a fused qkv (GPT-2 c_attn) whole: same total, LoRA q adapts all of it, as PEFT does', () => {
    const fused = { ...gpt2, fusedQkv: true };
    const inv = baseInventory(fused);
    expect(countParams(inv)).toBe(124_439_808);
    const weights = inv.filter((p) => p.group === 'block.0' && p.kind === 'weight');
    expect(weights.map((p) => `${p.module}:${p.shape.join('x')}`)).toEqual([
      'attn.qkv:768x2304',
      'attn.o:768x768',
      'mlp.fc:768x3072',
      'mlp.proj:3072x768',
    ]);
    expect(countParams(loraInventory(inv, { rank: 4, targets: ['q'] }))).toBe(12 * 4 * (768 + 2304));
    expect(countParams(loraInventory(inv, { rank: 4, targets: ['q', 'k', 'v'] }))).toBe(12 * 4 * (768 + 2304));
  });

  it('takes an explicit head width: q and o are heads × head_dim wide', () => {
    const inv = baseInventory(llama({ layers: 1, hidden: 64, intermediate: 128, heads: 4, kvHeads: 2, headDim: 32 }));
    const shapes = Object.fromEntries(inv.map((p) => [p.name, p.shape.join('x')]));
    expect(shapes).toMatchObject({
      'block.0.attn.q': '64x128',
      'block.0.attn.k': '64x64',
      'block.0.attn.v': '64x64',
      'block.0.attn.o': '128x64',
    });
  });
});
