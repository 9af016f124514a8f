/**
 * Configurations of a sweep (lib/runs/configuration: runs that differ only in seed and per-run paths; each lr
 * its own), in the fixed display order (full, LoRA, LISA by γ then K) with a fixed colour per configuration.
 */
import {
  compareConfigurations,
  configurationKey,
  configurationLabel,
  headlineOf,
  identityOf,
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

/** A knob's value as a legend shows it: numbers in their shortest form, anything else as JSON. */
const knobText = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? 'unset' : JSON.stringify(v));

/**
 * Configurations that share a label differ in some other knob (lr, backend, sampling, ...): each gets the knobs
 * that tell its look-alikes apart (`LISA γ=1 K=2 lr=0.001`), so a legend says what differs. When nothing the
 * identity holds differs (runs of foreign trainers with one label), they are numbered instead.
 */
function nameLookAlikes(groups: ConfigGroup[]): void {
  const byLabel = new Map<string, ConfigGroup[]>();
  for (const g of groups) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
  for (const [label, same] of byLabel) {
    if (same.length < 2) continue;
    const ids = same.map((g) => identityOf(g.kind, settingsOf(g.runs[0])));
    const keys = [...new Set(ids.flatMap((id) => Object.keys(id)))]
      .filter((k) => new Set(ids.map((id) => JSON.stringify(id[k]))).size > 1)
      .sort();
    same.forEach((g, i) => {
      const knobs = keys.map((k) => `${k}=${knobText(ids[i][k])}`).join(' ');
      g.label = g.short = knobs ? `${label} ${knobs}` : i === 0 ? label : `${label} (${i + 1})`;
    });
  }
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
  nameLookAlikes(groups);
  const perKind = new Map<string, number>();
  for (const g of groups) {
    const i = perKind.get(g.kind) ?? 0;
    perKind.set(g.kind, i + 1);
    g.style = methodStyle(g.kind, i);
    g.runs.sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
  }
  return groups;
}
