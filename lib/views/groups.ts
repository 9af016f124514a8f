/**
 * Configurations of a sweep (lib/runs/configuration: runs that differ only in seed and per-run paths; each lr
 * its own), in the fixed display order (full, LoRA, LISA by γ then K) with a fixed colour per configuration.
 */
import {
  compareConfigurations,
  configurationKey,
  configurationLabel,
  headlineOf,
  settingsOf,
  type Headline,
} from '../runs/configuration';
import { methodStyle, type SeriesStyle } from './palette';
import type { RunInfo } from './types';

export interface ConfigGroup {
  key: string;
  kind: string;
  label: string;
  /** Short label for legends and table headers. */
  short: string;
  /** γ and K (LISA) or r and α (LoRA): what the label shows and the order follows. */
  headline: Headline;
  style: SeriesStyle;
  runs: RunInfo[];
}

/** Legends name a configuration in the short form; external runs by their own label without the seed. */
function legendLabel(run: RunInfo, settings: Record<string, unknown>): string {
  const fallback = run.label.replace(/\s*seed\s*\d+\s*$/i, '');
  return configurationLabel(run.kind, headlineOf(run.kind, settings), { short: true, fallback });
}

/** Group fine-tuning runs (pretrain runs are left out) into configurations, sorted, each with its style. */
export function groupRuns(runs: readonly RunInfo[]): ConfigGroup[] {
  const map = new Map<string, ConfigGroup>();
  for (const run of runs) {
    if (run.kind === 'pretrain') continue;
    const key = configurationKey(run);
    const settings = settingsOf(run);
    const label = legendLabel(run, settings);
    const g = map.get(key) ?? {
      key,
      kind: run.kind,
      label,
      short: label,
      headline: headlineOf(run.kind, settings),
      style: { color: '#000', dash: 'solid' as const },
      runs: [],
    };
    g.runs.push(run);
    map.set(key, g);
  }
  const order = (g: ConfigGroup) => ({ ...g.headline, kind: g.kind, label: g.label });
  const groups = [...map.values()].sort((x, y) => compareConfigurations(order(x), order(y)));
  // Two configurations with the same label differ in some other knob: number them so legends stay distinct.
  const seen = new Map<string, number>();
  const perKind = new Map<string, number>();
  for (const g of groups) {
    const n = seen.get(g.label) ?? 0;
    seen.set(g.label, n + 1);
    if (n > 0) g.label = g.short = `${g.label} (${n + 1})`;
    const i = perKind.get(g.kind) ?? 0;
    perKind.set(g.kind, i + 1);
    g.style = methodStyle(g.kind, i);
    g.runs.sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
  }
  return groups;
}
