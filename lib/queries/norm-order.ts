/**
 * Model order for layer-norm groups: embed, pos, block.0 … block.N-1, lnf, head; modules (`block.3/attn.q`)
 * follow their block's order, then first appearance. Unknown names keep their order of first appearance,
 * after the blocks and before lnf/head. Sorting by name would put block.10 before block.2.
 */

export interface GroupRow {
  id: number;
  name: string;
  /** Order of first appearance in the run's events. */
  position: number;
}

const UNKNOWN = 1e9;

function rank(group: string): number {
  if (group === 'embed' || group === 'wte') return 0;
  if (group === 'pos' || group === 'wpe') return 1;
  const m = /^block\.(\d+)$/.exec(group);
  if (m) return 2 + Number(m[1]);
  if (group === 'lnf') return UNKNOWN + 1;
  if (group === 'head') return UNKNOWN + 2;
  return UNKNOWN;
}

/** True for a module row (`block.3/attn.q`), false for a layer group. */
export function isModule(name: string): boolean {
  return name.includes('/');
}

export function sortModelOrder<T extends GroupRow>(rows: readonly T[]): T[] {
  const key = (r: T) => rank(isModule(r.name) ? r.name.slice(0, r.name.indexOf('/')) : r.name);
  return [...rows].sort((a, b) => key(a) - key(b) || a.position - b.position);
}
