/**
 * The training loop (nanoGPT-style: one loop, methods plug in). Per update: maybe switch LISA period,
 * get lr, forward/backward over the method's trainable parameters only, clip, AdamW, log; then maybe
 * norms, eval, checkpoint. Everything it reports goes through the EventLog.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import type { TrainConfig } from '../lib/protocol/config';
import type { BackendInfo } from '../lib/protocol/index';
import { CHECKPOINT_DIRNAME, writeCheckpoint } from './checkpoint';
import { batchRows, type Batch } from './data/batch';
import { evaluateSet } from './evaluate';
import type { EventLog } from './events';
import { sampleMemory, withPeak } from './memory-sample';
import { computeNorms } from './norms';
import { gradientNorms, learningRate, type ScheduleOptions } from './optim';
import type { PeriodSwitch } from './methods';
import type { LoraTarget } from './model';
import type { RunState } from './setup';

export interface LoopOptions {
  outDir: string;
  log: EventLog;
  backend: BackendInfo;
  /** Human-readable progress (stderr). */
  say: (line: string) => void;
  /** Whether `say` gets a line every ~2.5 % of the steps (default true; a terminal's progress bar shows them). */
  stepLines?: boolean;
  /** Set by the signal handler; checked between steps. */
  cancelled: () => NodeJS.Signals | null;
  resumed: boolean;
  /** After the last step (and its eval and checkpoint), before `finished`: exports (--save-hf). */
  onFinish?: (r: RunState) => void;
}

export type ExitCode = 0 | 1 | 3 | 130 | 140 | 143;

/** Token-weighted eval loss, perplexity and (when the data has tasks) exact-match accuracy over the eval set. */
function evaluate(r: RunState): Record<string, number> {
  return evaluateSet(r.model, r.evalSet, r.seq);
}

function saveCheckpoint(r: RunState, o: LoopOptions): void {
  const dir = path.join(o.outDir, CHECKPOINT_DIRNAME);
  const bytes = writeCheckpoint(
    dir,
    {
      manifest: {
        step: r.step,
        nextSeq: o.log.nextSeq,
        config: { ...r.config },
        shape: r.shape,
        lora:
          r.config.method === 'lora'
            ? { rank: r.config.rank, alpha: r.config.alpha, targets: r.config.lora_targets as LoraTarget[] }
            : null,
        sampler: r.method.samplerState(),
        progress: r.progress,
        backend: o.backend.name,
        w0_sha256: r.w0Hash,
      },
      params: r.model.params.map((p) => ({
        name: p.name,
        shape: p.variable.shape,
        values: (p.variable.dataSync() as Float32Array).slice(),
      })),
      optimizer: r.optimizer.exportState(),
    },
    r.config.keep_checkpoints ?? 1,
  );
  o.log.emit({ type: 'checkpoint', step: r.step, path: dir, bytes });
}

function emitNorms(r: RunState, o: LoopOptions, gradSq: Map<string, number> | null): void {
  const trainable = new Set(r.method.trainable().map((p) => p.name));
  const { groups, modules } = computeNorms(r.model, r.reference, trainable, gradSq);
  o.log.emit({ type: 'layer_norms', step: r.step, groups, modules });
}

function emitEval(r: RunState, o: LoopOptions): void {
  const values = evaluate(r);
  const best = r.progress['best/eval_loss'];
  if (Number.isFinite(values['eval/loss']) && !(best <= values['eval/loss']))
    r.progress['best/eval_loss'] = values['eval/loss'];
  r.progress['final/eval_loss'] = values['eval/loss'];
  if (values['eval/accuracy'] !== undefined) r.progress['final/eval_accuracy'] = values['eval/accuracy'];
  o.log.emit({ type: 'eval', step: r.step, values });
  const acc = values['eval/accuracy'] !== undefined ? ` accuracy ${(100 * values['eval/accuracy']).toFixed(1)}%` : '';
  o.say(`eval @ ${r.step}: loss ${values['eval/loss'].toFixed(4)} ppl ${values['eval/ppl'].toFixed(2)}${acc}`);
}

/**
 * Before update `step`: a LISA period switch if one happens here, dropping AdamW state as the run's
 * `optimizer_state` says: every transformer block's (`reset_blocks`) or every variable's (`reset_all`).
 */
export function beginStep(r: RunState, step: number): PeriodSwitch | null {
  const sw = r.method.beforeStep(step);
  if (sw?.resetScope === 'all') r.optimizer.reset();
  else if (sw?.resetScope === 'blocks') {
    const blocks = new Set(r.model.params.filter((p) => p.group.startsWith('block.')).map((p) => p.name));
    r.optimizer.reset(r.optimizer.names.filter((n) => blocks.has(n)));
  }
  return sw;
}

export interface UpdateResult {
  loss: number;
  /** Squared gradient norm per trained parameter (null when the loss was not finite). */
  gradSq: Map<string, number> | null;
  /** With `allGrads`: the same for every parameter differentiated, the frozen ones included. */
  gradSqAll?: Map<string, number>;
  /** Global gradient norm (before clipping) over the parameters trained at this step. */
  gradNorm: number;
  /**
   * The same over every parameter the method can ever train: equal to `gradNorm` when those are the ones
   * trained (full, LoRA); for LISA only with `allGrads`, which costs the frozen blocks' weight gradients.
   */
  gradNormAll?: number;
  /** Token positions processed (batch × seq, padding included). */
  tokens: number;
  /** Positions that count in the loss (mask 1: not padding; in fine-tuning only the response and EOS). */
  lossTokens: number;
}

/** True when the method trains, at this step, every parameter it can ever train (full, LoRA, LISA γ = N). */
function trainsEverything(r: RunState): boolean {
  return r.method.trainable().length === r.method.everTrainable().length;
}

/**
 * The loss and the gradients of `vars` for the batch of update `step`: in one pass, or with `grad_accum` > 1
 * in micro-batches of `batch` rows whose gradients add up to the whole batch's. Each micro-batch's loss is
 * divided by the whole batch's count of loss positions, so the sum is the mean over the whole batch exactly
 * as one pass would take it (the same weight for every counted position, however the padding falls).
 */
function lossAndGrads(
  r: RunState,
  batch: Batch,
  lossTokens: number,
  vars: tf.Variable[],
): { loss: number; grads: tf.NamedTensorMap } {
  const accum = r.config.grad_accum ?? 1;
  if (accum === 1) {
    const { value, grads } = tf.variableGrads(() => r.model.loss(batch), vars);
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads };
  }
  let loss = 0;
  const sum: tf.NamedTensorMap = {};
  for (let k = 0; k < accum; k++) {
    const micro = batchRows(batch, k * r.config.batch, r.config.batch);
    const { value, grads } = tf.variableGrads(() => r.model.loss(micro, lossTokens), vars);
    loss += value.dataSync()[0];
    value.dispose();
    for (const [name, g] of Object.entries(grads)) {
      const before = sum[name];
      if (!before) {
        sum[name] = g;
        continue;
      }
      sum[name] = tf.add(before, g);
      before.dispose();
      g.dispose();
    }
  }
  return { loss, grads: sum };
}

/**
 * One optimizer update (number `step`, 1-based) with learning rate `lr`: forward and backward over the
 * method's trainable parameters only (over `grad_accum` micro-batches), global-norm clipping, AdamW. Does
 * nothing else (no events, no period switch: call `beginStep` first). The weights are left untouched when
 * the loss is not finite. `allGrads` also differentiates the parameters frozen at this step, only to report
 * `gradNormAll`: the update itself is the same.
 */
export function update(r: RunState, step: number, lr: number, opts: { allGrads?: boolean } = {}): UpdateResult {
  // Rows of update `step`: grad_accum × batch of them, micro-batch k being rows [k·batch, (k+1)·batch).
  const batch = r.data.trainBatch(step - 1, r.config.batch * (r.config.grad_accum ?? 1));
  const tokens = batch.x.length;
  let lossTokens = 0;
  for (let i = 0; i < batch.mask.length; i++) lossTokens += batch.mask[i];
  const trainees = r.method.trainable();
  const everything = trainsEverything(r);
  const differentiated = opts.allGrads && !everything ? r.method.everTrainable() : trainees;
  const { loss, grads } = lossAndGrads(
    r,
    batch,
    lossTokens,
    differentiated.map((p) => p.variable),
  );
  if (!Number.isFinite(loss)) {
    tf.dispose(grads);
    return { loss, gradSq: null, gradNorm: Number.NaN, tokens, lossTokens };
  }
  // A variable without a path to the loss gets no gradient (tf.variableGrads allows that): skip it.
  const byName = new Map(trainees.filter((p) => grads[p.variable.name]).map((p) => [p.name, grads[p.variable.name]]));
  const { sq, norm, scale } = gradientNorms(byName, r.config.grad_clip);
  let gradNormAll = everything ? norm : undefined;
  let gradSqAll = opts.allGrads ? sq : undefined;
  if (differentiated !== trainees) {
    const frozen = differentiated.filter((p) => !byName.has(p.name) && grads[p.variable.name]);
    const rest = gradientNorms(new Map(frozen.map((p) => [p.name, grads[p.variable.name]])), 0);
    gradNormAll = Math.hypot(norm, rest.norm);
    gradSqAll = new Map([...sq, ...rest.sq]);
  }
  const decayable = trainees.map((p) => ({ name: p.name, variable: p.variable, decay: p.variable.rank === 2 }));
  r.optimizer.step(decayable, byName, lr, scale);
  tf.dispose(grads);
  return { loss, gradSq: sq, gradSqAll, gradNorm: norm, gradNormAll, tokens, lossTokens };
}

/**
 * The learning-rate schedule of a run. Warm-up steps: `warmup`, or ⌈warmup_ratio × steps⌉ as the Hugging Face
 * Trainer's `get_warmup_steps` takes them (docs/trainer.md, "Learning rate").
 */
export function scheduleOf(c: TrainConfig): ScheduleOptions {
  const warmup = c.warmup_ratio !== undefined ? Math.ceil(c.warmup_ratio * c.steps) : c.warmup;
  return { lr: c.lr, steps: c.steps, warmup, schedule: c.schedule, minLrRatio: c.min_lr_ratio };
}

/** Adds `v` to a run-long counter kept in `progress` (so it survives a resume). */
function count(r: RunState, key: string, v: number): void {
  r.progress[key] = (r.progress[key] ?? 0) + v;
}

export async function trainLoop(r: RunState, o: LoopOptions): Promise<ExitCode> {
  const c = r.config;
  const schedule = scheduleOf(c);
  const started = performance.now();
  let peak = r.progress['peak/tensor_bytes'] ?? 0;
  let measurePeak = true;
  let lastPeakStep = -Infinity;
  if (!o.resumed) {
    emitNorms(r, o, null);
    emitEval(r, o);
  }
  while (r.step < c.steps) {
    const signal = o.cancelled();
    if (signal) {
      saveCheckpoint(r, o);
      const timeout = signal === 'SIGUSR2';
      const why = timeout ? ' (the job’s time limit is near)' : '';
      o.log.emit({
        type: 'failed',
        step: r.step,
        reason: timeout ? 'timeout' : 'cancelled',
        message: `received ${signal}${why}; checkpoint written at step ${r.step}`,
      });
      return signal === 'SIGINT' ? 130 : timeout ? 140 : 143;
    }
    const step = r.step + 1;
    const sw = beginStep(r, step);
    if (sw) {
      const scope = sw.resetScope ? { reset_scope: sw.resetScope } : {};
      const extra = { ...(sw.modules ? { modules: sw.modules } : {}), ...(sw.scores ? { scores: sw.scores } : {}) };
      const { period, active, reset } = sw;
      o.log.emit({ type: 'lisa_period', step, period, active, reset, ...scope, ...extra });
      // Peak memory depends on which blocks train; profiling costs time, so not at every switch.
      if (step - lastPeakStep >= 25) measurePeak = true;
    }
    const lr = learningRate(step, schedule);
    const last = step === c.steps;
    const normsStep = step % c.norms_every === 0 || last;
    // LISA's grad_norm/all needs the frozen blocks' gradients too: only at the steps that report norms (and
    // where the sampler measures every unit's gradient).
    const allGrads = (normsStep || r.method.needsAllGrads(step)) && !trainsEverything(r);
    const instrumented = measurePeak || allGrads;
    const t0 = performance.now();
    let result: UpdateResult;
    if (measurePeak) {
      const m = await withPeak(() => update(r, step, lr, { allGrads }));
      result = m.result;
      peak = Math.max(peak, m.peakBytes);
      measurePeak = false;
      lastPeakStep = step;
    } else {
      result = update(r, step, lr, { allGrads });
    }
    const stepMs = performance.now() - t0;
    r.step = step;
    r.method.afterStep(step, result.gradSqAll ?? result.gradSq);
    if (!Number.isFinite(result.loss)) {
      o.log.emit({ type: 'metrics', step, values: { 'train/loss': result.loss, lr } });
      o.log.emit({
        type: 'failed',
        step,
        reason: 'diverged',
        message: `training loss became ${result.loss} at step ${step}`,
      });
      return 3;
    }
    const mem = sampleMemory();
    r.progress['peak/tensor_bytes'] = peak;
    r.progress['peak/rss_bytes'] = Math.max(r.progress['peak/rss_bytes'] ?? 0, mem.rssBytes);
    r.progress['final/train_loss'] = result.loss;
    count(r, 'tokens', result.tokens);
    count(r, 'loss_tokens', result.lossTokens);
    const values: Record<string, number> = {
      'train/loss': result.loss,
      lr,
      grad_norm: result.gradNorm,
      tokens: result.tokens,
      loss_tokens: result.lossTokens,
      'mem/tensor_bytes': mem.tensorBytes,
      'mem/peak_bytes': peak,
      'mem/rss_bytes': mem.rssBytes,
    };
    if (result.gradNormAll !== undefined) values['grad_norm/all'] = result.gradNormAll;
    // Speed figures only from plain steps: profiling and the wide gradient pass cost extra time.
    if (instrumented) {
      values.instrumented = 1;
      values.instrumented_step_ms = stepMs;
    } else {
      values.step_ms = stepMs;
      values.tokens_per_s = (result.tokens / stepMs) * 1000;
      values.loss_tokens_per_s = (result.lossTokens / stepMs) * 1000;
      count(r, 'timed_steps', 1);
      count(r, 'timed_s', stepMs / 1000);
      count(r, 'timed_tokens', result.tokens);
      count(r, 'timed_loss_tokens', result.lossTokens);
    }
    if (mem.wasmHeapBytes !== undefined)
      values['mem/wasm_heap_bytes'] = r.progress['peak/wasm_heap_bytes'] = mem.wasmHeapBytes;
    o.log.emit({ type: 'metrics', step, values });
    const stepLine = step % Math.max(1, Math.round(c.steps / 40)) === 0 || step === c.steps || stepMs > 2000;
    if (o.stepLines !== false && stepLine) {
      const speed = `${stepMs.toFixed(0)} ms/step ${Math.round((result.tokens / stepMs) * 1000)} tok/s`;
      o.say(`step ${step}/${c.steps} loss ${result.loss.toFixed(4)} lr ${lr.toExponential(2)} ${speed}`);
    }
    if (normsStep) emitNorms(r, o, result.gradSq);
    if (step % c.eval_every === 0 || last) emitEval(r, o);
    if (step % c.checkpoint_every === 0 || last) saveCheckpoint(r, o);
    await new Promise((resolve) => setImmediate(resolve)); // lets SIGTERM/SIGINT handlers run
  }
  o.onFinish?.(r);
  const wall = (performance.now() - started) / 1000;
  const summary: Record<string, number> = { ...r.progress, steps: r.step, wall_s: wall };
  // Total tokens ÷ total time over the plain steps of the whole run (resumes included).
  const timed = r.progress.timed_s ?? 0;
  if (timed > 0) {
    summary.tokens_per_s = r.progress.timed_tokens / timed;
    summary.loss_tokens_per_s = r.progress.timed_loss_tokens / timed;
  }
  o.log.emit({ type: 'finished', step: r.step, summary });
  o.say(`finished: ${r.step} steps in ${wall.toFixed(1)} s; final eval loss ${summary['final/eval_loss']?.toFixed(4)}`);
  return 0;
}
