/**
 * Configurations of a sweep: runs grouped by everything except the seed (and per-run paths), in a fixed
 * display order (full, LoRA, LISA by γ then K) with a fixed colour per configuration.
 */
import { methodStyle, type SeriesStyle } from './palette';
import type { RunInfo } from './types';

export interface ConfigGroup {
  key: string;
  kind: string;
  label: string;
  /** Short label for legends and table headers. */
  short: string;
  style: SeriesStyle;
  runs: RunInfo[];
}

const RUN_SPECIFIC = new Set(['seed', 'out', 'base', 'resume', 'backend']);
const LISA_ONLY = ['gamma', 'interval', 'sampling', 'optimizer_state'];
const LORA_ONLY = ['rank', 'alpha', 'lora_targets', 'lora_train_embed'];
const IRRELEVANT: Record<string, string[]> = { full: [...LISA_ONLY, ...LORA_ONLY], lora: LISA_ONLY, lisa: LORA_ONLY };

export function configKey(run: RunInfo): string {
  const drop = new Set([...RUN_SPECIFIC, ...(IRRELEVANT[run.kind] ?? [])]);
  const config: Record<string, unknown> = { ...run.config };
  if (run.kind === 'lisa') {
    if (run.gamma !== null) config.gamma = run.gamma;
    if (run.interval !== null) config.interval = run.interval;
  }
  const id = Object.entries(config)
    .filter(([k]) => !drop.has(k))
    .sort(([a], [b]) => a.localeCompare(b));
  return `${run.kind}:${JSON.stringify(id)}`;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function configLabel(run: RunInfo): string {
  if (run.kind === 'lisa')
    return `LISA γ=${run.gamma ?? num(run.config.gamma) ?? '?'} K=${run.interval ?? num(run.config.interval) ?? '?'}`;
  if (run.kind === 'full') return 'Full FT';
  if (run.kind === 'lora') return `LoRA r=${num(run.config.rank) ?? '?'}`;
  return run.label.replace(/\s*seed\s*\d+\s*$/i, '') || run.kind;
}

const KIND_ORDER = ['full', 'lora', 'lisa'];

function sortKey(g: ConfigGroup): [number, number, number, string] {
  const r = g.runs[0];
  const k = KIND_ORDER.indexOf(g.kind);
  const a = g.kind === 'lisa' ? (r.gamma ?? 0) : (num(r.config.rank) ?? 0);
  const b = g.kind === 'lisa' ? (r.interval ?? 0) : (num(r.config.alpha) ?? 0);
  return [k < 0 ? 99 : k, a, b, g.label];
}

/** Group fine-tuning runs (pretrain runs are left out) into configurations, sorted, each with its style. */
export function groupRuns(runs: readonly RunInfo[]): ConfigGroup[] {
  const map = new Map<string, ConfigGroup>();
  for (const run of runs) {
    if (run.kind === 'pretrain') continue;
    const key = configKey(run);
    const g = map.get(key) ?? {
      key,
      kind: run.kind,
      label: configLabel(run),
      short: configLabel(run),
      style: { color: '#000', dash: 'solid' as const },
      runs: [],
    };
    g.runs.push(run);
    map.set(key, g);
  }
  const groups = [...map.values()].sort((x, y) => {
    const a = sortKey(x);
    const b = sortKey(y);
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3].localeCompare(b[3]);
  });
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
