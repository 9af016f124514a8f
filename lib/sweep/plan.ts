/**
 * Expand a validated sweep spec into runs: the LISA settings × seeds, each baseline × its settings ×
 * seeds, and one pretrain run every fine-tune run depends on. Identical configurations are planned
 * once. Pure: the same spec always gives the same plan.
 */
import { MODEL_PRESETS, trainConfigSchema, type TrainConfig, type TrainConfigInput } from '@/lib/protocol/config';
import { configHash, groupHash } from './hash';
import { headlineKeys, pretrainLabel, runKey, runLabel, type RunKind } from './naming';
import { baselineSettings, countRuns, gridSettings, lisaParameterKeys, randomSettings, type Setting } from './space';
import type { BaselineSpec, DataSpec, ParamValue, SweepSpec } from './types';

export interface PlannedRun {
  /** Unique within the sweep and stable for the same spec: `lisa-g2-k5-s1`, `full-s1`, `pretrain`. */
  key: string;
  kind: RunKind;
  seed: number;
  /** What this run varies: γ and K for LISA, r and α for LoRA, plus any swept parameter. */
  params: Record<string, ParamValue>;
  label: string;
  /**
   * The complete run config (defaults filled, `seq` made explicit). `base` is the user's model.base
   * when given; a run that depends on the pretrain gets its `base` (and every run its `out`) from the
   * scheduler.
   */
  config: TrainConfig;
  /** SHA-256 of the canonical config without out/base, plus what it starts from (see hash.ts). */
  configHash: string;
  /** Shared by runs that differ only in seed. */
  groupHash: string;
  /** configHash of the pretrain run this run starts from. */
  dependsOn: string | null;
  baseline: boolean;
  /** LISA: number of layer draws, ceil(steps / interval). */
  switches?: number;
}

export interface SweepPlan {
  name: string;
  method: SweepSpec['method'];
  pretrain: PlannedRun | null;
  /** Fine-tune runs, seed-major: every setting of seed 1, then of seed 2, ... */
  runs: PlannedRun[];
  /** Runs dropped because an earlier run has the same configuration. */
  duplicates: { key: string; label: string; sameAs: string }[];
}

const dataString = (d: DataSpec) => ('preset' in d ? d.preset : d.path);

function buildConfig(input: TrainConfigInput): TrainConfig {
  const config = trainConfigSchema.parse(input);
  return { ...config, seq: config.seq ?? MODEL_PRESETS[config.preset].ctx };
}

function planPretrain(spec: SweepSpec): PlannedRun | null {
  if (!spec.pretrain) return null;
  const { steps, seed, data, overrides } = spec.pretrain;
  const config = buildConfig({
    ...overrides,
    stage: 'pretrain',
    method: 'full',
    preset: spec.model.preset,
    data: dataString(data),
    seed,
    steps,
  });
  return {
    key: 'pretrain',
    kind: 'pretrain',
    seed,
    params: {},
    label: pretrainLabel(config),
    config,
    configHash: configHash(config),
    groupHash: groupHash(config),
    dependsOn: null,
    baseline: false,
  };
}

interface Candidate {
  kind: Exclude<RunKind, 'pretrain'>;
  setting: Setting;
  seed: number;
  baseline?: BaselineSpec;
}

function candidates(spec: SweepSpec): Candidate[] {
  const lisaKeys = lisaParameterKeys(spec);
  const lisa =
    spec.method === 'random'
      ? randomSettings(spec.parameters, lisaKeys, countRuns(spec).settings, spec.random_seed)
      : gridSettings(spec.parameters, lisaKeys);
  const baselines = spec.baselines.map((b) => ({ b, settings: baselineSettings(spec, b) }));
  return spec.seeds.flatMap((seed) => [
    ...lisa.map((setting) => ({ kind: 'lisa' as const, setting, seed })),
    ...baselines.flatMap(({ b, settings }) =>
      settings.map((setting) => ({ kind: b.method, setting, seed, baseline: b })),
    ),
  ]);
}

export function planSweep(spec: SweepSpec): SweepPlan {
  const pretrain = planPretrain(spec);
  const from = pretrain?.configHash ?? spec.model.base;
  const runs: PlannedRun[] = [];
  const duplicates: SweepPlan['duplicates'] = [];
  const byHash = new Map<string, string>();
  const keys = new Set<string>(pretrain ? [pretrain.key] : []);

  for (const c of candidates(spec)) {
    const config = buildConfig({
      ...spec.train,
      ...c.setting,
      ...c.baseline?.overrides,
      stage: 'finetune',
      method: c.kind,
      preset: spec.model.preset,
      data: dataString(spec.data),
      seed: c.seed,
      base: spec.model.base,
    });
    const headline = Object.fromEntries(
      headlineKeys(c.kind).map((k) => [k, config[k as keyof TrainConfig] as ParamValue]),
    );
    const params = { ...headline, ...c.setting };
    const name = c.baseline?.name;
    const hash = configHash(config, from);
    let key = runKey(c.kind, params, c.seed, name);
    const label = runLabel(c.kind, params, c.seed, name);
    const same = byHash.get(hash);
    if (same) {
      duplicates.push({ key, label, sameAs: same });
      continue;
    }
    if (keys.has(key)) key = `${key}-${hash.slice(0, 6)}`;
    keys.add(key);
    byHash.set(hash, key);
    runs.push({
      key,
      kind: c.kind,
      seed: c.seed,
      params,
      label,
      config,
      configHash: hash,
      groupHash: groupHash(config, from),
      dependsOn: pretrain?.configHash ?? null,
      baseline: !!c.baseline,
      ...(c.kind === 'lisa' ? { switches: Math.ceil(config.steps / config.interval) } : {}),
    });
  }
  return { name: spec.name, method: spec.method, pretrain, runs, duplicates };
}
