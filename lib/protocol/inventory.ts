/**
 * The parameter inventory: every tensor a model holds, by name, group, module and shape. One source of
 * truth for the trainer (which builds its variables from it) and the planner (which counts it), so the
 * two cannot disagree on what a model is. Pure data, no tfjs: the server imports it.
 *
 * Shapes cover LayerLab's own presets and the Hugging Face families the paper uses: GPT-2 (learned
 * positions, biases on every linear, tied head), Llama/Mistral/Qwen2 (RMSNorm without bias, SwiGLU,
 * grouped-query attention, optional q/k/v biases, tied or untied head), Phi-2 (one LayerNorm per block,
 * biased head).
 *
 * Conventions: linear weights are [in, out] (the trainer computes x·W; Hugging Face `nn.Linear` stores
 * [out, in], GPT-2's `Conv1D` stores [in, out]); the token embedding is [vocab, hidden] and an untied head
 * [hidden, vocab]. Names: `wte`, `wpe`, `block.i.ln1.g`/`.b`, `block.i.attn.{q,k,v,o}`,
 * `block.i.mlp.{fc,proj}` (GELU) or `block.i.mlp.{gate,up,down}` (SwiGLU), a linear's bias is
 * `<weight>.b`, then `lnf.g`/`.b`, `head`, `head.b`. LoRA adapters are `<weight>.lora_a` [in, r] and
 * `<weight>.lora_b` [r, out].
 */
import { type Granularity, MODEL_PRESETS, type Preset } from './config';
import { fixedUnits, lisaUnits, type UnitParam, unitOf } from './lisa-units';

/**
 * What the implementation keeps for backward (the memory model's concern, not the count's):
 * `gpt2` (LayerNorm, GELU, dropout), `llama` (RMSNorm, SwiGLU, fp32 softmax and logits), `phi`
 * (parallel block, one LayerNorm). See lib/estimate/activations.ts.
 */
export type ImplFamily = 'gpt2' | 'llama' | 'phi';
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'mlp';

/** Which block linears carry a bias: none; q, k, v (Qwen2); q, k, v, o (Llama `attention_bias`); all. */
export type LinearBiases = 'none' | 'qkv' | 'attention' | 'all';

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  /** Key/value heads (grouped-query attention); equals `heads` for multi-head attention. */
  kvHeads: number;
  /** Width of one head; default hidden / heads (Llama-family configs may set `head_dim` otherwise). */
  headDim?: number;
  vocab: number;
  /** Learned position embeddings (GPT-2); 0 for rotary models. */
  positions: number;
  /** LM head shares the token embedding's weights (no `head` tensor). */
  tied: boolean;
  mlp: 'gelu' | 'swiglu';
  /** `layernorm` has a gain and a bias, `rmsnorm` a gain only. */
  norm: 'layernorm' | 'rmsnorm';
  /** One norm per block feeding attention and MLP in parallel (Phi-2); otherwise two (pre-LN). */
  parallel: boolean;
  biases: LinearBiases;
  /** q, k, v as one [hidden, 3·hidden] linear (GPT-2's `c_attn`), which a LoRA target q, k or v adapts whole. */
  fusedQkv?: boolean;
  /** An untied head with a bias (Phi-2). */
  headBias: boolean;
  family: ImplFamily;
  /** Context length (the default sequence length). */
  ctx: number;
}

/** The trainer's compact preset shape, as its checkpoints record it. */
export interface PresetDims {
  vocab: number;
  d: number;
  layers: number;
  heads: number;
  ctx: number;
}

/**
 * LayerLab's trainer builds GPT-style blocks: pre-LN LayerNorm, a 4d GELU MLP, learned positions, an
 * untied head and no linear biases (trainer/model.ts). The planner counts exactly that.
 */
export function presetDimsShape(p: PresetDims, name = 'custom'): ModelShape {
  return {
    name,
    layers: p.layers,
    hidden: p.d,
    intermediate: 4 * p.d,
    heads: p.heads,
    kvHeads: p.heads,
    vocab: p.vocab,
    positions: p.ctx,
    tied: false,
    mlp: 'gelu',
    norm: 'layernorm',
    parallel: false,
    biases: 'none',
    headBias: false,
    family: 'gpt2',
    ctx: p.ctx,
  };
}

export function presetShape(preset: Preset): ModelShape {
  return presetDimsShape(MODEL_PRESETS[preset], preset);
}

export type ParamKind = 'embedding' | 'weight' | 'bias' | 'norm';
export type ParamRole = 'base' | 'lora_a' | 'lora_b';
/**
 * Initialisation the trainer uses: N(0, 0.02²); `residual`, the GPT-2 residual projections, N(0, (0.02/√2L)²);
 * `ones`/`zeros` for norm gains and biases; `lora_a` U(±1/√in); LoRA B starts at zero.
 */
export type ParamInit = 'normal' | 'residual' | 'ones' | 'zeros' | 'lora_a';

export interface ParamSpec {
  name: string;
  /** Layer group: `embed`, `pos`, `block.i`, `lnf`, `head`. */
  group: string;
  /** Part inside a block (`attn.q`, `mlp.fc`, `ln`, ...); null outside blocks. */
  module: string | null;
  kind: ParamKind;
  role: ParamRole;
  shape: number[];
  init: ParamInit;
  /** Linear weights: the LoRA target names that adapt them (q, k and v for a fused qkv). */
  targets?: readonly LoraTarget[];
  /** Adapters: the weight they adapt. */
  adapts?: string;
}

export const numel = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
export const countParams = (specs: readonly ParamSpec[]): number => specs.reduce((n, p) => n + numel(p.shape), 0);

/** Groups outside the blocks, which LISA always trains ("E+H", plus positions and the final norm). */
export const LISA_ALWAYS = new Set(['embed', 'pos', 'lnf', 'head']);
export const blockGroup = (i: number) => `block.${i}`;

export interface Linear {
  module: string;
  targets: readonly LoraTarget[];
  in: number;
  out: number;
  init: ParamInit;
  bias: boolean;
}

/** The linear layers of one block, in the order the inventory lists them. */
export function blockLinears(s: ModelShape): Linear[] {
  const head = s.headDim ?? s.hidden / s.heads;
  const q = s.heads * head;
  const kv = s.kvHeads * head;
  const attnBias = s.biases !== 'none';
  const oBias = s.biases === 'attention' || s.biases === 'all';
  const mlpBias = s.biases === 'all';
  const lin = (
    module: string,
    targets: LoraTarget[],
    i: number,
    o: number,
    bias: boolean,
    init: ParamInit = 'normal',
  ): Linear => ({ module, targets, in: i, out: o, init, bias });
  const qkv = s.fusedQkv
    ? [lin('attn.qkv', ['q', 'k', 'v'], s.hidden, q + 2 * kv, attnBias)]
    : [
        lin('attn.q', ['q'], s.hidden, q, attnBias),
        lin('attn.k', ['k'], s.hidden, kv, attnBias),
        lin('attn.v', ['v'], s.hidden, kv, attnBias),
      ];
  const attn = [...qkv, lin('attn.o', ['o'], q, s.hidden, oBias, 'residual')];
  const mlp =
    s.mlp === 'swiglu'
      ? [
          lin('mlp.gate', ['mlp'], s.hidden, s.intermediate, mlpBias),
          lin('mlp.up', ['mlp'], s.hidden, s.intermediate, mlpBias),
          lin('mlp.down', ['mlp'], s.intermediate, s.hidden, mlpBias, 'residual'),
        ]
      : [
          lin('mlp.fc', ['mlp'], s.hidden, s.intermediate, mlpBias),
          lin('mlp.proj', ['mlp'], s.intermediate, s.hidden, mlpBias, 'residual'),
        ];
  return [...attn, ...mlp];
}

function norm(s: ModelShape, prefix: string, group: string, module: string | null): ParamSpec[] {
  const spec = (name: string, init: ParamInit): ParamSpec => ({
    name,
    group,
    module,
    kind: 'norm',
    role: 'base',
    shape: [s.hidden],
    init,
  });
  const gain = spec(`${prefix}.g`, 'ones');
  return s.norm === 'rmsnorm' ? [gain] : [gain, spec(`${prefix}.b`, 'zeros')];
}

/** Every base tensor of the model, in the order the trainer creates them. */
export function baseInventory(s: ModelShape): ParamSpec[] {
  if ((s.headDim === undefined && s.hidden % s.heads !== 0) || s.heads % s.kvHeads !== 0) {
    const dims = `hidden ${s.hidden}, heads ${s.heads}, kv heads ${s.kvHeads}`;
    throw new Error(`model ${s.name}: ${dims} do not divide evenly`);
  }
  const top = (name: string, group: string, kind: ParamKind, shape: number[], init: ParamInit): ParamSpec => ({
    name,
    group,
    module: null,
    kind,
    role: 'base',
    shape,
    init,
  });
  const out: ParamSpec[] = [top('wte', 'embed', 'embedding', [s.vocab, s.hidden], 'normal')];
  if (s.positions > 0) out.push(top('wpe', 'pos', 'embedding', [s.positions, s.hidden], 'normal'));
  const linears = blockLinears(s);
  for (let i = 0; i < s.layers; i++) {
    const g = blockGroup(i);
    const add = (l: Linear) => {
      const name = `${g}.${l.module}`;
      const common = { group: g, module: l.module, role: 'base' as const };
      out.push({ ...common, name, kind: 'weight', shape: [l.in, l.out], init: l.init, targets: l.targets });
      if (l.bias) out.push({ ...common, name: `${name}.b`, kind: 'bias', shape: [l.out], init: 'zeros' });
    };
    out.push(...norm(s, `${g}.ln1`, g, 'ln'));
    for (const l of linears.filter((x) => x.module.startsWith('attn.'))) add(l);
    if (!s.parallel) out.push(...norm(s, `${g}.ln2`, g, 'ln'));
    for (const l of linears.filter((x) => x.module.startsWith('mlp.'))) add(l);
  }
  out.push(...norm(s, 'lnf', 'lnf', null));
  if (!s.tied) {
    out.push(top('head', 'head', 'weight', [s.hidden, s.vocab], 'normal'));
    if (s.headBias) out.push(top('head.b', 'head', 'bias', [s.vocab], 'zeros'));
  }
  return out;
}

/** LoRA adapters (A, then B) for every block weight whose target is in `targets`, in inventory order. */
export function loraInventory(
  base: readonly ParamSpec[],
  o: { rank: number; targets: readonly string[] },
): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const p of base) {
    if (p.role !== 'base' || p.kind !== 'weight' || !p.module) continue;
    if (!p.targets?.some((t) => o.targets.includes(t))) continue;
    const [din, dout] = p.shape;
    const common = { group: p.group, module: p.module, kind: 'weight' as const, adapts: p.name };
    out.push({ ...common, name: `${p.name}.lora_a`, role: 'lora_a', shape: [din, o.rank], init: 'lora_a' });
    out.push({ ...common, name: `${p.name}.lora_b`, role: 'lora_b', shape: [o.rank, dout], init: 'zeros' });
  }
  return out;
}

/** Groups in display order: the inventory's groups as they first appear. */
export function inventoryGroups(specs: readonly { group: string }[]): string[] {
  return [...new Set(specs.map((p) => p.group))];
}

export interface TrainableOptions {
  method: 'full' | 'lora' | 'lisa';
  /** LISA: blocks (or modules) trained per period. */
  gamma?: number;
  /** LISA: what a draw picks (default block). */
  granularity?: Granularity;
  /** LISA with `sampling: fixed`: its list (then γ does not count). */
  fixedBlocks?: readonly (number | string)[];
  rank?: number;
  loraTargets?: readonly LoraTarget[];
  /** LoRA: also train the embedding and head groups in full. */
  loraTrainEmbed?: boolean;
}

/**
 * Parameters of the model a method builds (adapters included) and those that train at one step, as
 * `run_started` reports them. LISA: the groups outside the blocks plus γ blocks.
 */
export function methodCounts(s: ModelShape, o: TrainableOptions): { params: number; trainable: number } {
  const base = baseInventory(s);
  const total = countParams(base);
  if (o.method === 'full') return { params: total, trainable: total };
  if (o.method === 'lora') {
    const targets = o.loraTargets ?? ['q', 'k', 'v', 'o', 'mlp'];
    const adapters = countParams(loraInventory(base, { rank: o.rank ?? 8, targets }));
    const embedHead = o.loraTrainEmbed ? countParams(base.filter((p) => p.group === 'embed' || p.group === 'head')) : 0;
    return { params: total + adapters, trainable: adapters + embedHead };
  }
  const sized = base.map((p) => ({ group: p.group, module: p.module, size: numel(p.shape) }));
  return { params: total, trainable: lisaTrainable(sized, o) };
}

/**
 * LISA's parameters trained at one step: the groups outside the blocks plus the drawn units — the γ largest
 * (blocks, or modules with `granularity: module`; γ capped at their number), or the `fixed` ones.
 */
export function lisaTrainable(
  params: readonly (UnitParam & { size: number })[],
  o: Pick<TrainableOptions, 'gamma' | 'granularity' | 'fixedBlocks'>,
): number {
  const granularity = o.granularity ?? 'block';
  let always = 0;
  for (const p of params) if (LISA_ALWAYS.has(p.group)) always += p.size;
  const units = lisaUnits(params, granularity);
  const sizes = units.map((u) => params.reduce((n, p) => n + (unitOf(p, granularity) === u ? p.size : 0), 0));
  let drawn: number[];
  if (o.fixedBlocks) {
    try {
      drawn = fixedUnits(o.fixedBlocks, units, granularity).map((i) => sizes[i]);
    } catch {
      drawn = []; // the run refuses such a list; nothing trains beyond the always-trained groups
    }
  } else drawn = [...sizes].sort((a, b) => b - a).slice(0, Math.min(o.gamma ?? 2, units.length));
  return drawn.reduce((n, x) => n + x, always);
}
