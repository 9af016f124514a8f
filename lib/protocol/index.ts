/**
 * The versioned event protocol shared by the trainer (writer) and the server (reader).
 * One JSON object per line (NDJSON). Non-finite numbers travel as the strings "NaN", "Infinity", "-Infinity".
 * Version 1. Additive, optional fields do not bump `v`; anything else does.
 */
import { z } from 'zod';
import { toJson } from './json';

export const PROTOCOL_VERSION = 1 as const;

/** A number that may be non-finite; on the wire NaN/±Infinity are strings. */
export const wireNumber = z.union([
  z.number(),
  z.literal('NaN').transform(() => Number.NaN),
  z.literal('Infinity').transform(() => Number.POSITIVE_INFINITY),
  z.literal('-Infinity').transform(() => Number.NEGATIVE_INFINITY),
]);

const values = z.record(z.string().min(1).max(200), wireNumber);

export const LAYER_NORM_QUANTITIES = ['weight', 'update', 'trainable', 'grad'] as const;
export type LayerNormQuantity = (typeof LAYER_NORM_QUANTITIES)[number];

/** Norms of one layer group (or one module inside a block). `grad` only when it trained this step. */
export const normEntry = z.object({
  weight: wireNumber,
  update: wireNumber,
  trainable: wireNumber,
  grad: wireNumber.optional(),
});
export type NormEntry = z.infer<typeof normEntry>;

const common = {
  v: z.literal(PROTOCOL_VERSION),
  seq: z.number().int().nonnegative(),
  time: z.string().min(1).max(64),
};
const stepField = z.number().int().nonnegative();

export const backendInfo = z.object({
  name: z.string(),
  gpu: z.boolean(),
  device: z.string(),
  warning: z.string().optional(),
});
export type BackendInfo = z.infer<typeof backendInfo>;

export const runStartedEvent = z.object({
  ...common,
  type: z.literal('run_started'),
  config: z.record(z.string(), z.unknown()),
  backend: backendInfo,
  model: z.object({
    params: z.number().int().nonnegative(),
    trainableParams: z.number().int().nonnegative(),
    groups: z.array(z.string()),
  }),
  resumedFrom: z.number().int().nonnegative().optional(),
  /**
   * The fixed held-out set every `eval` event of the run scores: its size (records, or text windows) and
   * the SHA-256 of its content (docs/trainer.md). Runs with different hashes are not comparable.
   */
  evalSet: z.object({ records: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});

export const metricsEvent = z.object({ ...common, type: z.literal('metrics'), step: stepField, values });
export const evalEvent = z.object({ ...common, type: z.literal('eval'), step: stepField, values });

export const layerNormsEvent = z.object({
  ...common,
  type: z.literal('layer_norms'),
  step: stepField,
  /** Keyed by group: `embed`, `pos`, `block.0`…, `lnf`, `head`. */
  groups: z.record(z.string(), normEntry),
  /** Keyed by `block.i/attn.q` etc. Optional. */
  modules: z.record(z.string(), normEntry).optional(),
});

export const lisaPeriodEvent = z.object({
  ...common,
  type: z.literal('lisa_period'),
  step: stepField,
  period: z.number().int().nonnegative(),
  active: z.array(z.number().int().nonnegative()),
  /** Whether AdamW state was dropped at this switch. */
  reset: z.boolean(),
  /** Whose state was dropped when `reset`: the transformer blocks' (`reset_blocks`) or all (`reset_all`). */
  reset_scope: z.enum(['blocks', 'all']).optional(),
  /** `granularity: module`: the drawn modules (`block.i/attn.q`); `active` then lists the blocks they are in. */
  modules: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  /** `sampling: importance`: every unit's score behind this draw (`block.i` or `block.i/attn.q` → score). */
  scores: z.record(z.string().min(1).max(200), wireNumber).optional(),
});

export const checkpointEvent = z.object({
  ...common,
  type: z.literal('checkpoint'),
  step: stepField,
  path: z.string(),
  bytes: z.number().int().nonnegative(),
});

export const logEvent = z.object({
  ...common,
  type: z.literal('log'),
  step: stepField.optional(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string().max(10_000),
});

export const finishedEvent = z.object({
  ...common,
  type: z.literal('finished'),
  step: stepField,
  summary: values,
});

/** `timeout`: a cluster's time limit was near (Slurm's warning signal); the trainer checkpointed, resumable. */
export const FAILURE_REASONS = ['diverged', 'error', 'oom', 'cancelled', 'timeout'] as const;
export const failedEvent = z.object({
  ...common,
  type: z.literal('failed'),
  step: stepField.optional(),
  reason: z.enum(FAILURE_REASONS),
  message: z.string().max(10_000),
});

export const runEvent = z.discriminatedUnion('type', [
  runStartedEvent,
  metricsEvent,
  evalEvent,
  layerNormsEvent,
  lisaPeriodEvent,
  checkpointEvent,
  logEvent,
  finishedEvent,
  failedEvent,
]);

export type RunEvent = z.infer<typeof runEvent>;
export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
/** What a producer hands to `encodeEvent`: everything but the envelope it fills in. */
export type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'v' | 'seq' | 'time'> : never) : never;

/** Serialise one event as a single NDJSON line (no trailing newline). */
export function encodeEvent(event: RunEvent): string {
  return toJson(event);
}

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly line?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Parse and validate one NDJSON line. Throws ProtocolError naming the problem. */
export function parseEvent(line: string): RunEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new ProtocolError(`not valid JSON: ${line.slice(0, 120)}`, line);
  }
  const result = runEvent.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ProtocolError(`invalid event: ${issues}`, line);
  }
  return result.data;
}
