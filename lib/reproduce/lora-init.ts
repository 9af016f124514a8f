/**
 * The norm of LoRA's trainable parameters at initialisation, per layer group, computed from rank and shapes.
 * PEFT (and LayerLab's trainer, trainer/model.ts) draws A [d_in, r] from kaiming-uniform with a = √5, i.e.
 * U(±1/√d_in), and sets B = 0, so ΔW = (α/r)·A·B = 0 at step 0. E[a²] = (1/d_in)/3, so one adapter's
 * E‖A‖² = d_in · r / (3 d_in) = r/3 whatever its shape, and a group with m adapters has E‖A‖² = m·r/3.
 * LayerLab's `trainable` norm of a LoRA run is ‖[A; B]‖ over the group's adapters (the paper's Figure 2 quantity
 * for LoRA, RESEARCH: "LoRA's curve equals the adapters' init norm"): at init √(m·r/3) per block, 0 for the
 * embedding, position embedding, final norm and head, which carry no adapters.
 */
import { baseInventory, inventoryGroups, type LoraTarget, loraInventory, type ModelShape } from '../protocol/inventory';

export interface LoraInitNorm {
  group: string;
  /** Adapters (A matrices) in the group. */
  adapters: number;
  /** √E‖A‖² = √(adapters · r / 3); 0 without adapters. */
  norm: number;
}

export function loraInitNorms(shape: ModelShape, rank: number, targets: readonly LoraTarget[]): LoraInitNorm[] {
  const base = baseInventory(shape);
  const adapters = loraInventory(base, { rank, targets }).filter((p) => p.role === 'lora_a');
  return inventoryGroups(base).map((group) => {
    const m = adapters.filter((p) => p.group === group).length;
    return { group, adapters: m, norm: Math.sqrt((m * rank) / 3) };
  });
}
