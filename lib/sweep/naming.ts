/** Keys (stable, URL-safe) and labels (for people) of planned runs. */
import type { TrainConfig } from '@/lib/protocol/config';
import { METHOD_NAMES } from '@/lib/runs/configuration';
import type { ParamValue } from './types';

export type RunKind = 'pretrain' | 'lisa' | 'full' | 'lora';

const KIND_LABEL: Record<RunKind, string> = { pretrain: 'Pretrain', ...METHOD_NAMES };
const SLUG_KEY: Record<string, string> = {
  gamma: 'g',
  interval: 'k',
  rank: 'r',
  alpha: 'a',
  lr: 'lr',
  batch: 'b',
  steps: 'n',
  seq: 't',
  warmup: 'w',
  weight_decay: 'wd',
  sampling: '',
  granularity: '',
  importance_score: '',
  importance_tau: 'tau',
  importance_eps: 'eps',
  fixed_blocks: 'fixed',
  optimizer_state: 'opt-',
  min_lr_ratio: 'minlr',
  grad_clip: 'clip',
};
const LABEL_KEY: Record<string, string> = { gamma: 'γ', interval: 'K', rank: 'r', alpha: 'α' };

/** The parameters a run's name shows first: γ and K for LISA, r and α for LoRA. */
export function headlineKeys(kind: RunKind): string[] {
  return kind === 'lisa' ? ['gamma', 'interval'] : kind === 'lora' ? ['rank', 'alpha'] : [];
}

const slugValue = (v: ParamValue) =>
  (Array.isArray(v) ? v.join('+') : String(v)).toLowerCase().replace(/[^a-z0-9.+-]/g, '');

export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run'
  );
}

/** `lisa-g2-k5-s1`, `lora-r8-a16-lr0.001-s2`, `full-s1`, or the baseline's name. */
export function runKey(kind: RunKind, params: Record<string, ParamValue>, seed: number, name?: string): string {
  const parts = [name ? slugify(name) : kind];
  for (const [k, v] of Object.entries(params)) {
    if (name && headlineKeys(kind).includes(k)) continue;
    parts.push(`${SLUG_KEY[k] ?? k.replace(/_/g, '')}${slugValue(v)}`);
  }
  return [...parts, `s${seed}`].join('-');
}

const labelValue = (v: ParamValue) => (Array.isArray(v) ? v.join('+') : String(v));

/** `LISA γ=2 K=5 seed 1`, `LoRA r=8 α=16 lr=0.001 seed 2`, `Full seed 1`. */
export function runLabel(kind: RunKind, params: Record<string, ParamValue>, seed: number, name?: string): string {
  const parts = [name ?? KIND_LABEL[kind]];
  for (const [k, v] of Object.entries(params)) parts.push(`${LABEL_KEY[k] ?? k}=${labelValue(v)}`);
  return [...parts, `seed ${seed}`].join(' ');
}

export function pretrainLabel(config: TrainConfig): string {
  return `Pretrain ${config.preset} (${config.steps} steps, seed ${config.seed})`;
}
