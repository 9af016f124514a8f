/**
 * One benchmark measurement = one trainer process (memory is per process and the wasm heap never
 * shrinks). Spawns the trainer CLI, reads its NDJSON events from stdout, and summarises the `metrics`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseEvent, type EventOf, type RunEvent } from '../../lib/protocol/index';
import { max, median } from './stats';

export interface TrainerRunSpec {
  label: string;
  /** CLI flags after `trainer/cli.ts`, e.g. ['--method', 'lisa', '--gamma', '2']. */
  args: string[];
  /** Steps whose metrics are discarded (kernel compilation, first allocations). */
  warmup: number;
  timeoutMs: number;
}

export interface TrainerRunResult {
  label: string;
  backend?: EventOf<'run_started'>['backend'];
  params?: number;
  trainableParams?: number;
  measuredSteps: number;
  stepMs: number;
  tokensPerS: number;
  /** Highest value of each `mem/*` metric over the measured steps. */
  mem: Record<string, number>;
  failure?: string;
}

/** Runs `tsx trainer/cli.ts ...` from the repo root; resolves when the process exits. */
export function runTrainer(repoRoot: string, spec: TrainerRunSpec): Promise<{ events: RunEvent[]; failure?: string }> {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['trainer/cli.ts', ...spec.args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so a timeout also stops the node process tsx starts
  });
  const events: RunEvent[] = [];
  const stderrTail: string[] = [];
  let badLine: string | undefined;
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        events.push(parseEvent(line));
      } catch (e) {
        badLine ??= (e as Error).message;
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(...chunk.split('\n').filter(Boolean));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 20));
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, spec.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const failedEvent = events.find((e): e is EventOf<'failed'> => e.type === 'failed');
      let failure: string | undefined;
      if (signal === 'SIGKILL') failure = `timed out after ${spec.timeoutMs / 1000} s`;
      else if (failedEvent) failure = `${failedEvent.reason}: ${failedEvent.message}`;
      else if (code !== 0) failure = `exit code ${code}: ${stderrTail.slice(-5).join(' | ')}`;
      else if (badLine) failure = `invalid event on stdout: ${badLine}`;
      resolve({ events, failure });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ events, failure: `could not start ${tsx}: ${e.message}` });
    });
  });
}

/** Median step time and tokens/s over the steps after warm-up; peak of each memory metric. */
export function summarise(label: string, events: RunEvent[], warmup: number, tokensPerStep: number): TrainerRunResult {
  const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started');
  const metrics = events
    .filter((e): e is EventOf<'metrics'> => e.type === 'metrics' && e.values.step_ms !== undefined)
    .sort((a, b) => a.step - b.step);
  const firstStep = metrics.length ? metrics[0].step : 0;
  const measured = metrics.filter((m) => m.step >= firstStep + warmup);
  const stepMs = median(measured.map((m) => m.values.step_ms));
  const tps = measured.map((m) => m.values.tokens_per_s).filter((v) => v !== undefined);
  const mem: Record<string, number> = {};
  for (const key of new Set(metrics.flatMap((m) => Object.keys(m.values).filter((k) => k.startsWith('mem/'))))) {
    mem[key] = max(metrics.map((m) => m.values[key] ?? Number.NaN));
  }
  return {
    label,
    backend: started?.backend,
    params: started?.model.params,
    trainableParams: started?.model.trainableParams,
    measuredSteps: measured.length,
    stepMs,
    tokensPerS: tps.length === measured.length && tps.length > 0 ? median(tps) : (tokensPerStep * 1000) / stepMs,
    mem,
  };
}
