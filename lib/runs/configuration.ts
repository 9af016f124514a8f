/**
 * A configuration: the runs that differ only in their seed (and per-run paths). It is one row of the ablation
 * table, one curve with a seed band, one line of Figure 2. This module says once which knobs each method uses,
 * which keys never identify a configuration, a configuration's key, its label and its place in the display
 * order; the sweep planner (lib/sweep/keys.ts), the table (lib/queries/table.ts) and the views
 * (lib/views/groups.ts) take them from here.
 */
import { IMPORTANCE_DEFAULTS, METHODS, optimizerStateOf, type Method } from '../protocol/knobs';

/** Knobs only one method uses; every other config key applies to every method. */
export const METHOD_KNOBS: Record<Method, readonly string[]> = {
  full: [],
  lora: ['rank', 'alpha', 'lora_targets', 'lora_train_embed', 'merge_lora'],
  lisa: [
    'gamma',
    'interval',
    'sampling',
    'granularity',
    'importance_score',
    'importance_tau',
    'importance_eps',
    'fixed_blocks',
    'optimizer_state',
  ],
};

/** Every method-specific knob (what the pretrain stage, which trains all weights, may not set). */
export const METHOD_SPECIFIC_KNOBS: readonly string[] = METHODS.flatMap((m) => METHOD_KNOBS[m]);

/**
 * Never part of a configuration's identity: the seed and the run's paths, and a command run's rendered command
 * (docs/command-sweeps.md), which holds both; the parameters it was rendered from are the config's own keys. The
 * backend is not among them: two runs that differ only in backend are two configurations, so the table never
 * averages across backends.
 */
export const RUN_SPECIFIC_KEYS: readonly string[] = ['seed', 'out', 'base', 'resume', 'command'];

const isMethod = (kind: string): kind is Method => (METHODS as readonly string[]).includes(kind);

/** Does a run of this kind use this key? Kinds that are not a method (external runs) use every key. */
export function knobAppliesTo(key: string, kind: string): boolean {
  if (!isMethod(kind) || !METHOD_SPECIFIC_KNOBS.includes(key)) return true;
  return METHOD_KNOBS[kind].includes(key);
}

/**
 * A run's config as its page lists it: only the knobs its method uses (a LoRA run's config still carries the
 * trainer's γ and K defaults, which mean nothing for it); a pretrain run, which trains every weight, shows none of
 * the method knobs. External runs keep every key.
 */
export function methodConfig(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const shown = (key: string) =>
    kind === 'pretrain' ? !METHOD_SPECIFIC_KNOBS.includes(key) : knobAppliesTo(key, kind);
  return Object.fromEntries(Object.entries(config).filter(([key]) => shown(key)));
}

/** What a configuration is computed from: a run's kind, its config, and the γ and K the planner recorded. */
export interface RunSettings {
  kind: string;
  config: Record<string, unknown>;
  gamma: number | null;
  interval: number | null;
}

/** The `importance` rule's own knobs, which mean nothing under another rule. */
const IMPORTANCE_KNOBS = ['importance_score', 'importance_tau', 'importance_eps'];

/**
 * A run's config as it identifies its configuration: γ and K from the run's own columns where recorded, and a
 * LISA run's optimizer-state mode as the trainer reads it (legacy `reset` = `reset_all`; `unrecorded` if absent).
 * A LISA run's sampling rule and granularity are part of it with the trainer's defaults filled in (`uniform`,
 * `block`: what runs from before these knobs did), the importance knobs only under `importance` and
 * `fixed_blocks` only under `fixed` (elsewhere they change nothing).
 */
export function settingsOf(run: RunSettings): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...run.config };
  if (run.gamma !== null) settings.gamma = run.gamma;
  if (run.interval !== null) settings.interval = run.interval;
  if (run.kind === 'lisa') {
    const v = settings.optimizer_state;
    settings.optimizer_state = optimizerStateOf(v) ?? (typeof v === 'string' ? v : 'unrecorded');
    settings.sampling ??= 'uniform';
    settings.granularity ??= 'block';
    if (settings.sampling !== 'importance') for (const k of IMPORTANCE_KNOBS) delete settings[k];
    else {
      for (const k of IMPORTANCE_KNOBS) settings[k] ??= IMPORTANCE_DEFAULTS[k as keyof typeof IMPORTANCE_DEFAULTS];
    }
    if (settings.sampling !== 'fixed') delete settings.fixed_blocks;
  }
  return settings;
}

export interface IdentityOptions {
  /** Whether lr is part of the identity (default true); the table leaves it out to choose the best lr per row. */
  lr?: boolean;
}

/** The settings that identify a configuration of this kind, sorted by key. */
export function identityOf(
  kind: string,
  settings: Record<string, unknown>,
  opts: IdentityOptions = {},
): Record<string, unknown> {
  const drop = (k: string) => RUN_SPECIFIC_KEYS.includes(k) || (opts.lr === false && k === 'lr');
  return Object.fromEntries(
    Object.entries(settings)
      .filter(([k]) => !drop(k) && knobAppliesTo(k, kind))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Equal for two runs exactly when they belong to the same configuration. */
export function configurationKey(run: RunSettings, opts: IdentityOptions = {}): string {
  return `${run.kind}:${JSON.stringify(identityOf(run.kind, settingsOf(run), opts))}`;
}

/** The knobs a configuration is named and ordered by: γ and K for LISA, r and α for LoRA; null otherwise. */
export interface Headline {
  gamma: number | null;
  interval: number | null;
  rank: number | null;
  alpha: number | null;
  /** LISA: the sampling rule and granularity (null for other kinds). */
  sampling: string | null;
  granularity: string | null;
  /** LISA `fixed`: its list. */
  fixedBlocks?: unknown[] | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function headlineOf(kind: string, settings: Record<string, unknown>): Headline {
  const lisa = kind === 'lisa';
  const lora = kind === 'lora';
  return {
    gamma: lisa ? num(settings.gamma) : null,
    interval: lisa ? num(settings.interval) : null,
    rank: lora ? num(settings.rank) : null,
    alpha: lora ? num(settings.alpha) : null,
    sampling: lisa ? String(settings.sampling ?? 'uniform') : null,
    granularity: lisa ? String(settings.granularity ?? 'block') : null,
    fixedBlocks: lisa && Array.isArray(settings.fixed_blocks) ? settings.fixed_blocks : null,
  };
}

/** Each method's name, as labels, captions and run names spell it. */
export const METHOD_NAMES: Record<Method, string> = { full: 'Full', lora: 'LoRA', lisa: 'LISA' };

export interface LabelOptions {
  /** Legends: LoRA without α (`LoRA r=8`). Default: the long form (`LoRA r=8 α=16`). */
  short?: boolean;
  /** The name of a kind that is not a method (an external run); default: the kind. */
  fallback?: string;
}

/**
 * `LISA γ=2 K=5`, `Full`, `LoRA r=8 α=16` (short: `LoRA r=8`); `?` where a knob is not recorded. A LISA rule other
 * than uniform and module granularity follow: `LISA γ=2 K=5 importance modules`, `LISA fixed 4,5 K=5`.
 */
export function configurationLabel(
  kind: string,
  h: Pick<Headline, 'gamma' | 'interval' | 'rank' | 'alpha'> & Partial<Headline>,
  opts: LabelOptions = {},
): string {
  const v = (x: number | null) => x ?? '?';
  if (kind === 'lisa') {
    const rule = h.sampling && h.sampling !== 'uniform' && h.sampling !== 'fixed' ? ` ${h.sampling}` : '';
    const modules = h.granularity === 'module' ? ' modules' : '';
    if (h.sampling === 'fixed')
      return `${METHOD_NAMES.lisa} fixed ${(h.fixedBlocks ?? []).join(',') || '?'} K=${v(h.interval)}${modules}`;
    return `${METHOD_NAMES.lisa} γ=${v(h.gamma)} K=${v(h.interval)}${rule}${modules}`;
  }
  if (kind === 'full') return METHOD_NAMES.full;
  if (kind === 'lora') return `${METHOD_NAMES.lora} r=${v(h.rank)}${opts.short ? '' : ` α=${v(h.alpha)}`}`;
  return opts.fallback || kind;
}

const KIND_ORDER: readonly string[] = ['full', 'lora', 'lisa'];
const kindRank = (kind: string) => {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
};
/** Ascending, unrecorded (null) last. */
const byNumber = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

/** Display order: full, LoRA, LISA, then other kinds; within a method by γ, K, r, α; then by label. */
export function compareConfigurations(
  a: Headline & { kind: string; label: string },
  b: Headline & { kind: string; label: string },
): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    byNumber(a.gamma, b.gamma) ||
    byNumber(a.interval, b.interval) ||
    byNumber(a.rank, b.rank) ||
    byNumber(a.alpha, b.alpha) ||
    a.label.localeCompare(b.label)
  );
}
