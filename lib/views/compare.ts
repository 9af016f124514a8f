/**
 * The compare view's lines: one per (run, metric), coloured as the sweep pages colour the run's configuration
 * (lib/views/groups: full vermillion, LoRA blue, LISA settings in (γ, K) order), seeds of one configuration told
 * apart by dash, metrics after the first by a dash and the right-hand axis when their unit differs.
 */
import { groupRuns } from './groups';
import { metricInfo } from './metrics';
import type { RunInfo } from './types';

const DASHES = ['solid', 'dashed', 'dotted'] as const;

export interface CompareLine {
  runId: string;
  metric: string;
  name: string;
  color: string;
  dash: (typeof DASHES)[number];
  /** 0: the left axis (the first metric's unit), 1: the right one. */
  axis: 0 | 1;
}

export function compareLines(runs: readonly RunInfo[], metrics: readonly string[]): CompareLine[] {
  const style = new Map<string, { color: string; seedIndex: number; group: string }>();
  for (const g of groupRuns(runs)) {
    g.runs.forEach((r, i) => style.set(r.id, { color: g.style.color, seedIndex: i, group: g.short }));
  }
  const firstUnit = unitOf(metrics[0] ?? '');
  const lines: CompareLine[] = [];
  metrics.forEach((metric, m) => {
    for (const r of runs) {
      const s = style.get(r.id) ?? { color: '#000000', seedIndex: 0, group: r.label };
      const dash = DASHES[(s.seedIndex + m) % DASHES.length];
      const name = metrics.length > 1 ? `${r.label} · ${metric}` : r.label;
      lines.push({ runId: r.id, metric, name, color: s.color, dash, axis: unitOf(metric) === firstUnit ? 0 : 1 });
    }
  });
  return lines;
}

/** A metric's unit, from its axis name's parentheses (`eval loss (nats / token)` → `nats / token`). */
export function unitOf(metric: string): string {
  const axis = metricInfo(metric).axis;
  return axis.match(/\(([^)]*)\)$/)?.[1] ?? axis;
}

/** The name of each axis: the one metric's axis name, or the metrics and their shared unit. */
export function axisNames(lines: readonly CompareLine[]): [string, string] {
  const name = (axis: 0 | 1) => {
    const metrics = [...new Set(lines.filter((l) => l.axis === axis).map((l) => l.metric))];
    if (metrics.length === 0) return '';
    if (metrics.length === 1) return metricInfo(metrics[0]).axis;
    const units = [...new Set(metrics.map(unitOf))];
    return `${metrics.join(', ')} (${units.join(', ')})`;
  };
  return [name(0), name(1)];
}
