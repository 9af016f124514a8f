/**
 * The parameter space of a sweep: which parameters apply to which runs, how many settings they make,
 * and the settings themselves (grid: cartesian product; random: deterministic draws).
 */
import { seededRandom } from '../stats/random';
import { isIntegerKey, keyAppliesTo } from './keys';
import type { BaselineSpec, ParamValue, ParameterSpec, SweepSpec } from './types';

export type Setting = Record<string, ParamValue>;

/** A hard ceiling on the runs of one sweep, whatever run_cap says. */
export const MAX_RUNS = 1000;

/** Parameters that vary the LISA runs (everything but LoRA-only keys), in written order. */
export function lisaParameterKeys(spec: Pick<SweepSpec, 'parameters'>): string[] {
  return Object.keys(spec.parameters).filter((k) => keyAppliesTo(k, 'lisa'));
}

/** Sweep parameters that vary one baseline under grid search: those its method uses and it does not set. */
export function baselineParameterKeys(spec: Pick<SweepSpec, 'parameters'>, b: BaselineSpec): string[] {
  return Object.keys(spec.parameters).filter(
    (k) => keyAppliesTo(k, b.method) && !(k in b.overrides) && !(k in (b.parameters ?? {})),
  );
}

/**
 * The settings one baseline runs (before seeds): under grid, the sweep parameters it follows × its own grid;
 * under random, its own grid only.
 */
export function baselineSettings(spec: Pick<SweepSpec, 'method' | 'parameters'>, b: BaselineSpec): Setting[] {
  const own = b.parameters ?? {};
  const ownSettings = gridSettings(own, Object.keys(own));
  if (spec.method === 'random') return ownSettings;
  const shared = gridSettings(spec.parameters, baselineParameterKeys(spec, b));
  return shared.flatMap((s) => ownSettings.map((o) => ({ ...s, ...o })));
}

/** How many settings `baselineSettings` makes, without listing them. */
function baselineSettingCount(spec: Pick<SweepSpec, 'method' | 'parameters'>, b: BaselineSpec): number {
  const own = b.parameters ?? {};
  const n = settingCount(own, Object.keys(own));
  return spec.method === 'random' ? n : n * settingCount(spec.parameters, baselineParameterKeys(spec, b));
}

/** Settings a set of parameters makes (Infinity when one is a range). */
export function settingCount(params: Record<string, ParameterSpec>, keys: string[]): number {
  return keys.reduce((n, k) => {
    const p = params[k];
    return n * ('values' in p ? p.values.length : 'value' in p ? 1 : Infinity);
  }, 1);
}

/** Cartesian product, first key outermost. */
export function gridSettings(params: Record<string, ParameterSpec>, keys: string[]): Setting[] {
  let settings: Setting[] = [{}];
  for (const k of keys) {
    const p = params[k];
    const values = 'values' in p ? p.values : 'value' in p ? [p.value] : [];
    settings = settings.flatMap((s) => values.map((v) => ({ ...s, [k]: v })));
  }
  return settings;
}

function draw(key: string, p: ParameterSpec, rand: () => number): ParamValue {
  if ('values' in p) return p.values[Math.floor(rand() * p.values.length)];
  if ('value' in p) return p.value;
  const u = rand();
  if (p.distribution === 'int_uniform' || isIntegerKey(key)) {
    const lo = Math.ceil(p.min);
    return lo + Math.floor(u * (Math.floor(p.max) - lo + 1));
  }
  const x =
    p.distribution === 'log_uniform_values'
      ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min)))
      : p.min + u * (p.max - p.min);
  // Four significant digits: readable labels, and still inside [min, max].
  return Math.min(p.max, Math.max(p.min, Number(x.toPrecision(4))));
}

/**
 * `count` random settings, the same for the same seed. A finite space is sampled without
 * replacement (all of it when it is smaller than `count`); ranges are drawn independently.
 */
export function randomSettings(
  params: Record<string, ParameterSpec>,
  keys: string[],
  count: number,
  seed: number,
): Setting[] {
  const rand = seededRandom(seed);
  const size = settingCount(params, keys);
  if (size <= Math.max(count, 1) * 64) {
    const all = gridSettings(params, keys);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, count);
  }
  return Array.from({ length: count }, () => Object.fromEntries(keys.map((k) => [k, draw(k, params[k], rand)])));
}

export interface RunCount {
  /** LISA settings (before seeds). */
  settings: number;
  /** Runs per seed of all baselines together. */
  baselineRuns: number;
  seeds: number;
  /** Fine-tune runs before de-duplication: (settings + baselineRuns) × seeds. */
  total: number;
}

/** How many fine-tune runs a spec makes (random: as many settings as run_cap leaves room for). */
export type SpaceSpec = Pick<SweepSpec, 'method' | 'run_cap' | 'parameters' | 'seeds' | 'baselines'>;

export function countRuns(spec: SpaceSpec): RunCount {
  const seeds = spec.seeds.length;
  const lisaKeys = lisaParameterKeys(spec);
  if (spec.method === 'random') {
    const baselineRuns = spec.baselines.reduce((n, b) => n + baselineSettingCount(spec, b), 0);
    const room = Math.floor(((spec.run_cap ?? 0) - baselineRuns * seeds) / Math.max(seeds, 1));
    const settings = Math.max(0, Math.min(room, settingCount(spec.parameters, lisaKeys)));
    return { settings, baselineRuns, seeds, total: (settings + baselineRuns) * seeds };
  }
  const settings = settingCount(spec.parameters, lisaKeys);
  const baselineRuns = spec.baselines.reduce((n, b) => n + baselineSettingCount(spec, b), 0);
  return { settings, baselineRuns, seeds, total: (settings + baselineRuns) * seeds };
}
