/** Sweep specs: parse and validate, plan, estimate. Pure (no database, no disk). */
export { formatProblems, MAX_SPEC_BYTES, parseSweepSpec, validateSweepSpec } from './spec';
export { planSweep, type PlannedRun, type SweepPlan } from './plan';
export { dryRun, type DryRun, type DryRunOptions, type DryRunRun, type RunEstimate } from './dry-run';
export { SPEC_PRESETS, specPreset, type SpecPreset } from './presets';
export { canonicalJson, configHash, groupHash } from './hash';
export { MAX_RUNS } from './space';
export type { ParseResult, Problem, SweepSpec } from './types';
