/**
 * Fixtures for tests and benchmarks: a real SQLite file in a temp folder, runs and sweeps inserted directly,
 * and an event builder that numbers seq the way the trainer does. Not used by the server.
 */
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Connection } from '../../db';
import { PROTOCOL_VERSION, type EventBody, type NormEntry, type RunEvent } from '../protocol';
import { createRun } from '../runs/lifecycle';
import { ingestEvents } from './write';

export interface TempDatabase {
  conn: Connection;
  dir: string;
  close(): void;
}

export function tempDatabase(prefix = 'layerlab-store-'): TempDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const conn = openDatabase(path.join(dir, 'layerlab.db'));
  return {
    conn,
    dir,
    close() {
      conn.sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunFixture {
  id: string;
  sweepId?: string | null;
  kind?: string;
  label?: string;
  config?: Record<string, unknown>;
  seed?: number | null;
  gamma?: number | null;
  interval?: number | null;
  createdAt?: string;
}

export function insertSweep(sqlite: Database.Database, id: string, name = id, createdAt?: string): void {
  sqlite
    .prepare(
      "INSERT INTO sweeps (id, name, spec, created_at) VALUES (?, ?, '{}', coalesce(?, " +
        "strftime('%Y-%m-%dT%H:%M:%fZ','now')))",
    )
    .run(id, name, createdAt ?? null);
}

export function insertRun(sqlite: Database.Database, r: RunFixture): void {
  createRun(sqlite, {
    id: r.id,
    sweepId: r.sweepId ?? null,
    kind: r.kind ?? 'lisa',
    label: r.label ?? r.id,
    config: JSON.stringify(r.config ?? {}),
    configHash: `hash-${r.id}`,
    seed: r.seed ?? null,
    gamma: r.gamma ?? null,
    interval: r.interval ?? null,
    createdAt: r.createdAt ?? null,
  });
}

/** Numbers events 0, 1, 2… like the trainer; `time` advances one second per event from a fixed origin. */
export class EventBuilder {
  seq = 0;
  constructor(private readonly origin = Date.parse('2026-01-01T00:00:00Z')) {}

  private wrap(body: EventBody): RunEvent {
    const seq = this.seq++;
    return { v: PROTOCOL_VERSION, seq, time: new Date(this.origin + seq * 1000).toISOString(), ...body } as RunEvent;
  }

  started(
    groups: string[] = ['embed', 'pos', 'block.0', 'block.1', 'lnf', 'head'],
    config: Record<string, unknown> = {},
    evalSet?: { records: number; hash: string },
  ): RunEvent {
    return this.wrap({
      type: 'run_started',
      config,
      backend: { name: 'wasm', gpu: false, device: 'cpu' },
      model: { params: 1000, trainableParams: 1000, groups },
      ...(evalSet ? { evalSet } : {}),
    });
  }

  metrics(step: number, values: Record<string, number>): RunEvent {
    return this.wrap({ type: 'metrics', step, values });
  }

  eval(step: number, values: Record<string, number>): RunEvent {
    return this.wrap({ type: 'eval', step, values });
  }

  norms(step: number, groups: Record<string, NormEntry>, modules?: Record<string, NormEntry>): RunEvent {
    return this.wrap({ type: 'layer_norms', step, groups, ...(modules ? { modules } : {}) });
  }

  period(step: number, period: number, active: number[], reset = true): RunEvent {
    return this.wrap({ type: 'lisa_period', step, period, active, reset });
  }

  checkpoint(step: number, file: string, bytes = 1024): RunEvent {
    return this.wrap({ type: 'checkpoint', step, path: file, bytes });
  }

  log(message: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info', step?: number): RunEvent {
    return this.wrap({ type: 'log', level, message, ...(step !== undefined ? { step } : {}) });
  }

  finished(step: number, summary: Record<string, number> = {}): RunEvent {
    return this.wrap({ type: 'finished', step, summary });
  }

  failed(reason: 'diverged' | 'error' | 'oom' | 'cancelled', message: string = reason, step?: number): RunEvent {
    return this.wrap({ type: 'failed', reason, message, ...(step !== undefined ? { step } : {}) });
  }
}

export interface SweepFixture {
  sweepId: string;
  gammas: number[];
  intervals: number[];
  seeds: number[];
  /** Seeds of the baseline runs (default: seeds). */
  baselineSeeds?: number[];
  steps: number;
  evalEvery: number;
  /** Metrics events every this many steps (default 1). */
  metricsEvery?: number;
  baselines?: { kind: 'full' | 'lora'; rank?: number; alpha?: number }[];
  /** Learning rates per method: one run per lr (and seed), with `lr` in its config. Default: no lr key. */
  lrs?: Partial<Record<'lisa' | 'full' | 'lora', number[]>>;
  /** Extra config keys of a run (e.g. optimizer_state). */
  config?(run: { kind: string; gamma: number | null; interval: number | null; seed: number }): Record<string, unknown>;
  /** The evaluation set a run's run_started reports (default: none). */
  evalSet?(run: {
    kind: string;
    gamma: number | null;
    interval: number | null;
    seed: number;
  }): { records: number; hash: string } | undefined;
  /** Training loss of a run at a step (default: final loss + 2 / step). */
  trainLoss?(run: { kind: string; gamma: number | null; seed: number }, step: number): number;
  /** Final eval loss of a run; intermediate evals decay towards it. */
  finalLoss(run: {
    kind: string;
    gamma: number | null;
    interval: number | null;
    seed: number;
    rank?: number;
    lr?: number;
  }): number;
  createdAt?: string;
  /** LISA runs per (γ, K): one configuration per entry, its keys merged into the config (default: one, {}). */
  lisaVariants?: Record<string, unknown>[];
}

/**
 * A sweep of LISA γ × K × seeds plus baselines, each run fed through the real write path: run_started,
 * metrics (train/loss, tokens_per_s, mem/peak_bytes), evals (eval/loss, eval/ppl, eval/accuracy), finished.
 * Baseline configs still carry the trainer's gamma/interval defaults, as real ones do. Returns the run ids.
 */
export function seedAblationSweep(
  sqlite: Database.Database,
  f: SweepFixture,
  ingest = (runId: string, events: RunEvent[]) => void ingestEvents(sqlite, runId, events),
): string[] {
  insertSweep(sqlite, f.sweepId, f.sweepId, f.createdAt);
  const specs: {
    kind: string;
    gamma: number | null;
    interval: number | null;
    rank?: number;
    alpha?: number;
    variant?: number;
  }[] = [];
  const variants = f.lisaVariants ?? [{}];
  for (const gamma of f.gammas)
    for (const interval of f.intervals)
      variants.forEach((_, i) =>
        specs.push({ kind: 'lisa', gamma, interval, ...(f.lisaVariants ? { variant: i } : {}) }),
      );
  for (const bl of f.baselines ?? [])
    specs.push({ kind: bl.kind, gamma: null, interval: null, rank: bl.rank, alpha: bl.alpha });
  const ids: string[] = [];
  for (const spec of specs) {
    const lrs: (number | undefined)[] = f.lrs?.[spec.kind as 'lisa' | 'full' | 'lora'] ?? [undefined];
    for (const lr of lrs) {
      for (const seed of spec.kind === 'lisa' ? f.seeds : (f.baselineSeeds ?? f.seeds)) {
        ids.push(seedRun(sqlite, f, { ...spec, seed, lr }, ingest));
      }
    }
  }
  return ids;
}

function seedRun(
  sqlite: Database.Database,
  f: SweepFixture,
  spec: {
    kind: string;
    gamma: number | null;
    interval: number | null;
    rank?: number;
    alpha?: number;
    seed: number;
    lr?: number;
    variant?: number;
  },
  ingest: (runId: string, events: RunEvent[]) => void,
): string {
  const { seed, lr } = spec;
  const lrPart = lr === undefined ? '' : `-lr${lr}`;
  const v = spec.variant === undefined ? '' : `-v${spec.variant}`;
  const knobs = `${spec.gamma ?? 0}-${spec.interval ?? 0}-${spec.rank ?? 0}`;
  const id = `${f.sweepId}-${spec.kind}-${knobs}${lrPart}${v}-${seed}`;
  const config = {
    method: spec.kind,
    gamma: spec.gamma ?? 2,
    interval: spec.interval ?? 20,
    seed,
    steps: f.steps,
    out: `/runs/${id}`,
    ...(spec.kind === 'lora' ? { rank: spec.rank ?? 8, alpha: spec.alpha ?? 16 } : {}),
    ...(lr === undefined ? {} : { lr }),
    ...(spec.variant === undefined ? {} : f.lisaVariants?.[spec.variant]),
    ...f.config?.(spec),
  };
  insertRun(sqlite, {
    id,
    sweepId: f.sweepId,
    kind: spec.kind,
    config,
    seed,
    gamma: spec.gamma,
    interval: spec.interval,
    createdAt: f.createdAt,
  });
  const final = f.finalLoss(spec);
  const b = new EventBuilder();
  const events = [b.started(['embed', 'block.0', 'head'], config, f.evalSet?.(spec))];
  for (let step = 1; step <= f.steps; step++) {
    const loss = f.trainLoss?.(spec, step) ?? final + 2 / step;
    if (step % (f.metricsEvery ?? 1) === 0 || step === f.steps) {
      events.push(
        b.metrics(step, {
          'train/loss': loss,
          tokens_per_s: 1000 + seed,
          'mem/peak_bytes': 1e8 * (spec.gamma ?? 4) + step,
        }),
      );
    }
    if (step % f.evalEvery === 0 || step === f.steps) {
      events.push(
        b.eval(step, {
          'eval/loss': step === f.steps ? final : loss,
          'eval/ppl': Math.exp(loss),
          'eval/accuracy': 1 / loss,
        }),
      );
    }
  }
  events.push(b.finished(f.steps, { 'eval/loss': final }));
  ingest(id, events);
  return id;
}

/**
 * The acceptance sweep in miniature: γ ∈ {1,2} × K ∈ {2,5} × 2 seeds + full + LoRA, plus a pretrain run and a
 * still-running third seed.
 */
export function seedNanoSweep(sqlite: Database.Database): void {
  seedAblationSweep(sqlite, {
    sweepId: 's1',
    gammas: [1, 2],
    intervals: [2, 5],
    seeds: [1, 2],
    steps: 10,
    evalEvery: 5,
    baselines: [{ kind: 'full' }, { kind: 'lora', rank: 8, alpha: 16 }],
    finalLoss: (r) =>
      (r.kind === 'full' ? 1.9 : r.kind === 'lora' ? 2.5 : 2 + r.gamma! / 10 + r.interval! / 100) + r.seed / 1000,
  });
  // Not counted: the pretrain run, and a third seed still running.
  insertRun(sqlite, { id: 'pre', sweepId: 's1', kind: 'pretrain', config: { steps: 400 } });
  insertRun(sqlite, {
    id: 'late',
    sweepId: 's1',
    kind: 'lisa',
    gamma: 1,
    interval: 2,
    seed: 3,
    config: { method: 'lisa', gamma: 1, interval: 2, seed: 3, steps: 10, out: '/x' },
  });
  ingestEvents(sqlite, 'late', [new EventBuilder().started()]);
}
