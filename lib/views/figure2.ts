/**
 * The paper's Figure 2: one value per layer group (embed, pos, block.0 … block.N-1, lnf, head) per method,
 * the seeds of a configuration averaged. Input: per-run aggregates from /api/sweeps/:id/norms.
 */
import type { NormAggregateRow } from '../queries/norms';
import { aggregate } from '../stats/aggregate';
import type { ConfigGroup } from './groups';

/** One run of GET /api/sweeps/:id/norms: its id and lib/queries/norms.ts NormAggregateRow's group and value. */
export interface RunNorms {
  runId: string;
  groups: Pick<NormAggregateRow, 'group' | 'value'>[];
}

export interface Figure2Series {
  group: ConfigGroup;
  /** Parallel to Figure2.layers; null where no seed recorded the layer group. */
  values: (number | null)[];
  /** Seeds averaged per layer group. */
  n: number[];
}

export interface Figure2 {
  layers: string[];
  series: Figure2Series[];
}

function layerRank(name: string): number {
  if (name === 'embed' || name === 'wte') return 0;
  if (name === 'pos' || name === 'wpe') return 1;
  const m = /^block\.(\d+)$/.exec(name);
  if (m) return 2 + Number(m[1]);
  if (name === 'lnf') return 1e9 + 1;
  if (name === 'head') return 1e9 + 2;
  return 1e9;
}

export function figure2(runs: readonly RunNorms[], groups: readonly ConfigGroup[]): Figure2 {
  const byRun = new Map(runs.map((r) => [r.runId, new Map(r.groups.map((g) => [g.group, g.value]))]));
  const layerSet = new Set<string>();
  for (const r of runs) for (const g of r.groups) layerSet.add(g.group);
  const layers = [...layerSet].sort((a, b) => layerRank(a) - layerRank(b));
  const series = groups
    .filter((g) => g.runs.some((r) => byRun.has(r.id)))
    .map((group) => {
      const stats = layers.map((layer) =>
        aggregate(group.runs.map((r) => byRun.get(r.id)?.get(layer)).filter((v): v is number => typeof v === 'number')),
      );
      return { group, values: stats.map((s) => (s.n > 0 ? s.mean : null)), n: stats.map((s) => s.n) };
    });
  return { layers, series };
}

/** Display name of a layer group, in the paper's words. */
export function layerName(group: string): string {
  if (group === 'embed') return 'embed';
  if (group === 'pos') return 'pos';
  if (group === 'lnf') return 'final LN';
  const m = /^block\.(\d+)$/.exec(group);
  return m ? `block ${m[1]}` : group;
}
