/**
 * The LISA timeline of one run: which blocks (or, when the run drew modules, which modules) were trainable in
 * each period, how often each was drawn, and for importance sampling the scores behind each draw. Periods come
 * from the `lisa_periods` table (period, first step, active block indices, drawn modules, scores).
 */
import type { PeriodRow } from '../queries/run-details';

/** One LISA period as GET /api/runs/:id/periods sends it (lib/queries/run-details.ts PeriodRow). */
export type Period = Pick<PeriodRow, 'period' | 'step' | 'active' | 'reset' | 'modules' | 'scores'>;

export interface Timeline {
  nBlocks: number;
  /** What a draw picked: whole blocks, or modules. */
  granularity: 'block' | 'module';
  /** Row names: `block 0` …, or `block.0/attn.q` … (block by block, modules in the trainer's order). */
  units: string[];
  periods: Period[];
  /** Per period, the indices (into `units`) drawn. */
  drawn: number[][];
  /** counts[u] = periods in which unit u was drawn. */
  counts: number[];
  /** Steps each unit was trainable (a period lasts until the next one starts, the last until `totalSteps`). */
  steps: number[];
  /** Per period, each unit's importance score behind the draw (NaN: none given); null for a draw without scores. */
  scores: (number[] | null)[];
}

/** Modules in the trainer's unit order (lib/protocol/lisa-units.ts: the parameter inventory's order). */
const MODULE_ORDER = ['ln', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'mlp.fc', 'mlp.gate', 'mlp.up', 'mlp.proj'];

const moduleRank = (m: string) => {
  const i = MODULE_ORDER.indexOf(m);
  return i < 0 ? MODULE_ORDER.length : i;
};

const blockOf = (unit: string) => Number(/^block\.(\d+)/.exec(unit)?.[1] ?? Number.NaN);

/** Every module unit of the run: each module seen in any block, for every block up to `nBlocks`. */
function moduleUnits(periods: readonly Period[], nBlocks: number): string[] {
  const names = periods.flatMap((p) => [...(p.modules ?? []), ...Object.keys(p.scores ?? {})]);
  const modules = [...new Set(names.map((u) => u.split('/')[1]).filter(Boolean))];
  modules.sort((a, b) => moduleRank(a) - moduleRank(b) || a.localeCompare(b));
  const blocks = Math.max(nBlocks, ...names.map((u) => blockOf(u) + 1).filter(Number.isFinite));
  return Array.from({ length: blocks }, (_, b) => modules.map((m) => `block.${b}/${m}`)).flat();
}

/** `nBlocks` is the model's block count when known; otherwise one past the highest index ever active. */
export function lisaTimeline(periods: readonly Period[], nBlocks: number | null, totalSteps: number | null): Timeline {
  const sorted = [...periods].sort((a, b) => a.period - b.period);
  const seen = sorted.reduce((m, p) => Math.max(m, ...p.active.map((b) => b + 1)), 0);
  const n = Math.max(nBlocks ?? 0, seen);
  const granularity = sorted.some((p) => p.modules) ? 'module' : 'block';
  const units = granularity === 'module' ? moduleUnits(sorted, n) : Array.from({ length: n }, (_, b) => `block ${b}`);
  const index = new Map(units.map((u, i) => [granularity === 'module' ? u : `block.${i}`, i]));
  const drawn = sorted.map((p) =>
    granularity === 'module' ? (p.modules ?? []).map((m) => index.get(m)!).filter((i) => i !== undefined) : p.active,
  );
  const counts = new Array<number>(units.length).fill(0);
  const steps = new Array<number>(units.length).fill(0);
  sorted.forEach((p, i) => {
    const end = i + 1 < sorted.length ? sorted[i + 1].step : Math.max(totalSteps ?? p.step, p.step);
    for (const u of drawn[i]) {
      counts[u]++;
      steps[u] += Math.max(0, end - p.step);
    }
  });
  const scores = sorted.map((p) => {
    if (!p.scores) return null;
    const row = new Array<number>(units.length).fill(Number.NaN);
    for (const [u, s] of Object.entries(p.scores)) {
      const i = index.get(u);
      if (i !== undefined) row[i] = s;
    }
    return row;
  });
  return { nBlocks: n, granularity, units, periods: sorted, drawn, counts, steps, scores };
}

/** Block count from layer-group names (`block.0` … `block.N-1`), or null when there are none. */
export function blocksFromGroups(groups: readonly string[]): number | null {
  let n = 0;
  for (const g of groups) {
    const m = /^block\.(\d+)$/.exec(g);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n > 0 ? n : null;
}
