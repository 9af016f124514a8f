/**
 * Identity of a run configuration: SHA-256 of a canonical JSON (object keys sorted at every level,
 * arrays in order, undefined dropped). Paths that only say where a run lives (`out`, `base`) are left
 * out; what a fine-tune starts from enters as `from` (the pretrain's hash, or the user's base path).
 */
import { createHash } from 'node:crypto';
import type { TrainConfig } from '@/lib/protocol/config';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The config hash used to de-duplicate runs and to reuse a pretrain across sweeps. */
export function configHash(config: TrainConfig, from?: string): string {
  const { out: _out, base: _base, ...rest } = config;
  return sha256(canonicalJson(from === undefined ? rest : { ...rest, from }));
}

/** Hash of everything but the seed: runs that differ only by seed share it (seed aggregates). */
export function groupHash(config: TrainConfig, from?: string): string {
  const { seed: _seed, ...rest } = config;
  return configHash({ ...rest, seed: 0 }, from).slice(0, 16);
}
