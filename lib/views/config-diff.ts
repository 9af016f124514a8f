/**
 * The compare view's config diff: the config keys whose values differ between the chosen runs (a key one run
 * lacks differs), with each run's value as text. Run paths (`out`, `base`, `resume`) and a command run's
 * rendered `command` always differ and say nothing about the setting: left out. A knob the run's method does not use
 * (a full run's stored LoRA rank, lib/runs/configuration) reads "not used".
 */
import { knobAppliesTo } from '../runs/configuration';

const RUN_PATHS = new Set(['out', 'base', 'resume', 'command']);

export interface ConfigDiffRow {
  key: string;
  /** One per run, in the runs' order; '—' where the run's config has no such key, NOT_USED where its method has no
   * use for it. */
  values: string[];
}

export interface DiffRun {
  kind: string;
  config: Record<string, unknown>;
}

export const NOT_USED = 'not used';
const text = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Rows for the keys that differ, `method` (the run kind) first, then keys in alphabetical order. */
export function configDiff(runs: readonly DiffRun[]): ConfigDiffRow[] {
  const rows: ConfigDiffRow[] = [];
  const kinds = runs.map((r) => r.kind);
  if (new Set(kinds).size > 1) rows.push({ key: 'method', values: kinds });
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))].filter((k) => !RUN_PATHS.has(k)).sort();
  for (const key of keys) {
    if (key === 'method' && rows.length > 0) continue;
    const values = runs.map((r) => (knobAppliesTo(key, r.kind) ? text(r.config[key]) : NOT_USED));
    if (new Set(values).size > 1) rows.push({ key, values });
  }
  return rows;
}
