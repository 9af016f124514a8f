/**
 * Expand a validated sweep spec into runs: the LISA settings × seeds, each baseline × its settings ×
 * seeds, and one pretrain run every fine-tune run depends on. Identical configurations are planned
 * once. Pure: the same spec always gives the same plan.
 */
import { MODEL_PRESETS, trainConfigSchema, type TrainConfig, type TrainConfigInput } from '@/lib/protocol/config';
import { withEpochSteps } from './epochs';
import { configHash, groupHash } from './hash';
import { headlineKeys, pretrainLabel, runKey, runLabel, type RunKind } from './naming';
import { baselineSettings, countRuns, gridSettings, lisaParameterKeys, randomSettings, type Setting } from './space';
import type { HfShape } from '@/trainer/hf/config';
import { isPassThroughKey } from './command';
import { modelSeq } from './model';
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
  /**
   * A command sweep's run: the parameters its program is given (`${args}`), canonical keys in written order —
   * the keys the spec sets for it, pass-through keys included, then method and seed (and γ, K for LISA).
   */
  args?: Record<string, ParamValue>;
  /** With `epochs`: the training records its steps were derived from (docs/trainer.md, "Epochs"). */
  records?: number;
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

/** The complete config; with `epochs`, its steps derived from the data (and the record count). */
function buildConfig(
  input: TrainConfigInput,
  command = false,
  hf?: HfShape,
): { config: TrainConfig; records?: number } {
  const config = trainConfigSchema.parse(input);
  const full = { ...config, seq: config.seq ?? (hf ? modelSeq(hf) : MODEL_PRESETS[config.preset].ctx) };
  // A command sweep's program reads its data and epochs itself.
  return command ? { config: full } : withEpochSteps(full);
}

function planPretrain(spec: SweepSpec): PlannedRun | null {
  if (!spec.pretrain) return null;
  const { steps, seed, data, overrides } = spec.pretrain;
  const { config, records } = buildConfig({
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
    ...(records !== undefined ? { records } : {}),
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
  if (spec.model.path && !spec.model.hf) {
    throw new Error('a model sweep is planned after its folder is read (lib/sweep/model.ts, withModelFolder)');
  }
  const pretrain = planPretrain(spec);
  const from = pretrain?.configHash ?? spec.model.base;
  const runs: PlannedRun[] = [];
  const duplicates: SweepPlan['duplicates'] = [];
  const byHash = new Map<string, string>();
  const keys = new Set<string>(pretrain ? [pretrain.key] : []);

  for (const c of candidates(spec)) {
    const input: Record<string, ParamValue> = { ...spec.train, ...c.setting, ...c.baseline?.overrides };
    // A command sweep's pass-through keys are its program's: not part of a LayerLab config, but of its identity.
    const pass = spec.command ? Object.keys(input).filter(isPassThroughKey) : [];
    const known = Object.fromEntries(Object.entries(input).filter(([k]) => !pass.includes(k)));
    const { config, records } = buildConfig(
      {
        ...known,
        stage: 'finetune',
        method: c.kind,
        preset: spec.model.preset,
        data: dataString(spec.data),
        seed: c.seed,
        base: spec.model.base,
        model_path: spec.model.path,
      },
      !!spec.command,
      spec.model.hf,
    );
    const headline = Object.fromEntries(
      headlineKeys(c.kind).map((k) => [k, config[k as keyof TrainConfig] as ParamValue]),
    );
    const params = { ...headline, ...c.setting };
    const name = c.baseline?.name;
    const identity = spec.command
      ? ({
          ...config,
          ...Object.fromEntries(pass.map((k) => [k, input[k]])),
          command: commandIdentity(spec),
        } as TrainConfig)
      : config;
    const hash = configHash(identity, from);
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
      groupHash: groupHash(identity, from),
      dependsOn: pretrain?.configHash ?? null,
      baseline: !!c.baseline,
      ...(c.kind === 'lisa' ? { switches: Math.ceil(config.steps / config.interval) } : {}),
      ...(spec.command ? { args: commandArgs(c.kind, input, config) } : {}),
      ...(records !== undefined ? { records } : {}),
    });
  }
  return { name: spec.name, method: spec.method, pretrain, runs, duplicates };
}

const commandIdentity = (spec: SweepSpec) => [spec.command?.program ?? '', ...(spec.command?.command ?? [])];

/** What a command run's program is given: the keys the spec set for it, then method, seed, and γ, K for LISA. */
function commandArgs(kind: string, input: Record<string, ParamValue>, config: TrainConfig): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const value = (k: string) => (k in config ? (config[k as keyof TrainConfig] as ParamValue) : input[k]);
  for (const k of Object.keys(input)) out[k] = value(k);
  out.method = kind as ParamValue;
  out.seed = config.seed;
  if (kind === 'lisa') {
    out.gamma = config.gamma;
    out.interval = config.interval;
  }
  return out;
}
