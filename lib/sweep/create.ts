/**
 * Sweeps into the database: validate, plan, estimate (dry run), and store the sweep with its runs in one
 * transaction. A pretrain run whose configuration was already run (same config hash, not failed) is reused.
 */
import type { Connection } from '../../db';
import { AppError } from '../errors';
import { newId } from '../ids';
import { runDir } from '../runs/layout';
import type { RunCommand } from '../runs/command';
import { createRun } from '../runs/lifecycle';
import { renderCommand } from './command';
import type { ThroughputSample } from '../estimate/time';
import { dryRun, type DryRun, type DryRunOptions } from './dry-run';
import { planSweep, type PlannedRun } from './plan';
import { checkPlannedRuns } from './model';
import { confineSpecPaths, type PathRoots } from './paths';
import { parseSweepSpec } from './spec';
import type { SweepSpec } from './types';

/**
 * Parse and validate a spec; with `roots`, also confine its dataset, checkpoint and model paths (lib/sweep/paths.ts)
 * and make them absolute, read a model folder's config, and check every planned run as the trainer would
 * (lib/sweep/model.ts: blocks, context, export, memory against the backend). `cwd`: a command sweep's default
 * workdir. Every problem is listed in one AppError('invalid_spec').
 */
export function parseOrThrow(text: string, contentType?: string, roots?: PathRoots, cwd?: string): SweepSpec {
  const parsed = parseSweepSpec(text, contentType, { cwd });
  if (!parsed.ok) {
    throw new AppError('invalid_spec', `the sweep spec has ${parsed.problems.length} problem(s)`, parsed.problems);
  }
  if (!roots) return parsed.spec;
  const { spec, problems } = confineSpecPaths(parsed.spec, roots);
  // Each run as the trainer would check it, memory against its backend included (command runs are their program's).
  if (problems.length === 0 && !spec.command) {
    const plan = planSweep(spec);
    problems.push(
      ...checkPlannedRuns([...(plan.pretrain ? [plan.pretrain] : []), ...plan.runs], spec.model.hf ?? null),
    );
  }
  if (problems.length > 0)
    throw new AppError('invalid_spec', `the sweep spec has ${problems.length} problem(s)`, problems);
  return spec;
}

/** Measured tokens/s of this machine's finished runs, for time estimates. */
export function throughputHistory(conn: Connection): ThroughputSample[] {
  const rows = conn.sqlite
    .prepare(
      `SELECT COALESCE(json_extract(r.config, '$.model_path'), json_extract(r.config, '$.preset')) AS preset,
              r.backend AS backend,
              json_extract(r.config, '$.method') AS method,
              l.value AS tokensPerS
       FROM runs r JOIN latest l ON l.run_id = r.id AND l.key = 'tokens_per_s'
       WHERE r.status = 'finished' AND r.backend IS NOT NULL AND l.value > 0
       ORDER BY r.finished_at DESC LIMIT 500`,
    )
    .all() as ThroughputSample[];
  return rows;
}

function reusablePretrain(conn: Connection, hash: string): { id: string; status: string } | undefined {
  return conn.sqlite
    .prepare(
      `SELECT id, status FROM runs WHERE kind = 'pretrain' AND config_hash = ?
       AND status IN ('queued','running','finished') ORDER BY (status = 'finished') DESC, created_at LIMIT 1`,
    )
    .get(hash) as { id: string; status: string } | undefined;
}

export function planDryRun(
  conn: Connection,
  spec: SweepSpec,
  slots: number,
  executor?: DryRunOptions['executor'],
): DryRun {
  const finished = conn.sqlite
    .prepare(`SELECT config_hash AS h FROM runs WHERE kind = 'pretrain' AND status = 'finished'`)
    .all() as { h: string }[];
  return dryRun(spec, throughputHistory(conn), slots, { finishedHashes: finished.map((f) => f.h), executor });
}

/**
 * A command run's stored config: the parameters its program is given (canonical keys, so the pages group and
 * label it like any run), the preset or model name the spec gave, and the rendered command (lib/runs/command.ts).
 */
function commandRunConfig(spec: SweepSpec, run: PlannedRun, dir: string): Record<string, unknown> {
  const cmd = spec.command!;
  const args = run.args ?? {};
  const spelled = Object.fromEntries(Object.entries(args).map(([k, v]) => [cmd.spelling[k] ?? k, v]));
  const command: RunCommand = {
    argv: renderCommand({ spec: cmd, args, runDir: dir, seed: run.seed }),
    cwd: cmd.workdir,
    env: cmd.env,
    args: spelled,
  };
  return {
    ...args,
    ...(cmd.preset ? { preset: spec.model.preset } : {}),
    ...(cmd.model ? { model: cmd.model } : {}),
    command,
  };
}

export interface CreatedSweep {
  id: string;
  runs: { id: string; key: string; label: string; kind: string; dependsOn: string | null }[];
  reusedPretrain: string | null;
}

export function createSweep(conn: Connection, home: string, spec: SweepSpec): CreatedSweep {
  const plan = planSweep(spec);
  const sweepId = newId('s', 8);
  /** Insert one run; a fine-tune run starts from the base run's folder (its checkpoint). */
  const add = (run: PlannedRun, baseRunId: string | null): string => {
    const id = newId('r');
    const dir = runDir(home, id);
    const config = spec.command
      ? commandRunConfig(spec, run, dir)
      : { ...run.config, out: dir, ...(baseRunId ? { base: runDir(home, baseRunId) } : {}) };
    createRun(conn.sqlite, {
      id,
      sweepId,
      kind: run.kind,
      label: run.label,
      config: JSON.stringify(config),
      configHash: run.configHash,
      seed: run.seed,
      gamma: run.kind === 'lisa' ? run.config.gamma : null,
      interval: run.kind === 'lisa' ? run.config.interval : null,
      dependsOn: baseRunId,
      dir,
      totalSteps: spec.command ? (typeof run.args?.steps === 'number' ? run.args.steps : null) : run.config.steps,
    });
    return id;
  };

  return conn.sqlite.transaction((): CreatedSweep => {
    conn.sqlite
      .prepare('INSERT INTO sweeps (id, name, spec) VALUES (?, ?, ?)')
      .run(sweepId, spec.name, JSON.stringify(spec));
    let pretrainId: string | null = null;
    let reused: string | null = null;
    if (plan.pretrain) {
      const existing = reusablePretrain(conn, plan.pretrain.configHash);
      pretrainId = existing?.id ?? add(plan.pretrain, null);
      if (existing) reused = existing.id;
    }
    const created = plan.runs.map((run) => {
      const id = add(run, pretrainId);
      return { id, key: run.key, label: run.label, kind: run.kind, dependsOn: pretrainId };
    });
    const all =
      pretrainId && !reused
        ? [
            { id: pretrainId, key: plan.pretrain!.key, label: plan.pretrain!.label, kind: 'pretrain', dependsOn: null },
            ...created,
          ]
        : created;
    return { id: sweepId, runs: all, reusedPretrain: reused };
  })();
}
