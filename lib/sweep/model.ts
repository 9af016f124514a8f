/**
 * What only the disk can tell about a sweep, checked at submission (dry run and create alike) as the trainer would
 * check it, so that no run is queued to fail: a model folder (`model: { path }`) read as `--model` reads it
 * (config.json, every safetensors header, tokenizer.json; no weight), each planned run's config against the
 * model's blocks and context and the export rules, and every run's memory against the backend it would run on
 * (`auto`: the first installed of tfjs-node-gpu, tfjs-node, wasm).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '@/lib/protocol/config';
import { checkConsistency } from '@/trainer/config';
import { HF_DEFAULT_SEQ, type HfShape } from '@/trainer/hf/config';
import { checkHfExport, fitProblem, runShape } from '@/trainer/hf/fit';
import { inspectHfFolder } from '@/trainer/hf/inspect';
import { probeBackends } from '../backends';
import type { PlannedRun } from './plan';
import type { Problem } from './types';

/** The folder's shape, or the one-line reason it cannot be trained (the trainer's own message). */
export function inspectModelFolder(dir: string): { shape: HfShape } | { problem: string } {
  try {
    const folder = inspectHfFolder(dir);
    if (!existsSync(path.join(folder.dir, 'tokenizer.json'))) {
      return { problem: `${folder.dir}: no tokenizer.json (a model sweep trains with the folder's own tokenizer)` };
    }
    return { shape: folder.shape };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** Sequence length of a run that gives none: the preset's context, or a model's, at most HF_DEFAULT_SEQ. */
export function modelSeq(hf: HfShape): number {
  return Math.min(hf.ctx, HF_DEFAULT_SEQ);
}

/** The backend `auto` resolves to on this machine (lib/backends.ts: the trainer's order of preference). */
export function autoBackend(root = process.cwd()): string {
  const found = probeBackends(root).find((b) => b.available && b.name !== 'cpu');
  return found?.name === 'tensorflow-gpu' ? 'tensorflow' : (found?.name ?? 'cpu');
}

/** What would stop one run: the trainer's consistency and export checks, then the fit to its backend. */
function runProblem(config: TrainConfig, hf: HfShape | null, backend: string): string | null {
  const shape = runShape(config, hf);
  const seq = config.seq ?? (hf ? modelSeq(hf) : shape.ctx);
  try {
    checkHfExport(config);
    if (hf) checkConsistency(config, hf.layers, hf.ctx);
  } catch (e) {
    return (e as Error).message;
  }
  return fitProblem(config, shape, seq, config.backend === 'auto' ? backend : config.backend);
}

/**
 * Every planned run checked; one problem per distinct message, naming the runs it stops (`runs.full-s1`,
 * `runs: lisa-g2-k5-s1, lisa-g2-k5-s2`).
 */
export function checkPlannedRuns(runs: PlannedRun[], hf: HfShape | null, backend = autoBackend()): Problem[] {
  const byMessage = new Map<string, string[]>();
  for (const run of runs) {
    const problem = runProblem(run.config, hf, backend);
    if (problem) byMessage.set(problem, [...(byMessage.get(problem) ?? []), run.key]);
  }
  return [...byMessage].map(([message, keys]) => ({
    path: keys.length === 1 ? `runs.${keys[0]}` : `runs (${keys.join(', ')})`,
    message,
  }));
}
