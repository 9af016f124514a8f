/**
 * What one LISA draw picks from (docs/trainer.md, "Sampling rules"): with `granularity: block` the transformer
 * blocks `block.0 … block.N-1`; with `module` every module of every block (`block.0/ln`, `block.0/attn.q`, …),
 * block by block, each block's modules in the order the parameter inventory lists them. Pure data, shared by the
 * trainer (which trains the drawn units) and the planner (which counts what trains at one step).
 */
import type { Granularity } from './config';

/** The fields of a parameter (trainer variable or inventory entry) that place it in a unit. */
export interface UnitParam {
  group: string;
  module: string | null;
}

/** Unit names in draw order. Parameters outside the blocks (embedding, head, …) belong to none. */
export function lisaUnits(params: readonly UnitParam[], granularity: Granularity): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of params) {
    if (!p.group.startsWith('block.')) continue;
    const name = granularity === 'block' ? p.group : `${p.group}/${p.module ?? 'other'}`;
    if (!seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/** The unit a parameter belongs to (null: outside the blocks, e.g. the embedding). */
export function unitOf(p: UnitParam, granularity: Granularity): string | null {
  if (!p.group.startsWith('block.')) return null;
  return granularity === 'block' ? p.group : `${p.group}/${p.module ?? 'other'}`;
}

/**
 * `fixed_blocks` as indices into `units`: a block index means that block (with module granularity: each of its
 * modules); `3/attn.q` or `block.3/attn.q` one module (module granularity only). Throws a one-line Error naming
 * the entry that does not fit.
 */
export function fixedUnits(
  entries: readonly (number | string)[],
  units: readonly string[],
  granularity: Granularity,
): number[] {
  const out = new Set<number>();
  const blocks = new Set(units.map((u) => u.split('/')[0]));
  for (const e of entries) {
    const text = String(e).replace(/^block\./, '');
    const [index, module] = text.split('/');
    const block = `block.${index}`;
    if (!blocks.has(block))
      throw new Error(`fixed_blocks entry '${e}': the model has blocks 0..${blocks.size - 1}, not ${index}`);
    if (module !== undefined && granularity === 'block')
      throw new Error(`fixed_blocks entry '${e}' names a module: use granularity module, or give block indices`);
    const wanted = module === undefined ? null : `${block}/${module}`;
    let found = false;
    units.forEach((u, i) => {
      const hit = wanted ? u === wanted : u === block || u.startsWith(`${block}/`);
      if (hit) {
        out.add(i);
        found = true;
      }
    });
    if (!found) {
      const modules = units.filter((u) => u.startsWith(`${block}/`)).map((u) => u.split('/')[1]);
      throw new Error(
        `fixed_blocks entry '${e}': block ${index} has no module ${module}; it has ${modules.join(', ')}`,
      );
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Blocks (indices) that hold at least one of the drawn units, ascending. */
export function blocksOfUnits(units: readonly string[]): number[] {
  const out = new Set(units.map((u) => Number(u.split('/')[0].slice('block.'.length))));
  return [...out].sort((a, b) => a - b);
}
