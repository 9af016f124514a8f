/**
 * `npm run train -- [options]` (docs/trainer.md, "Command line"). NDJSON events appended to OUT/events.ndjson,
 * and on stdout when it is not a terminal (or with --json); human progress on stderr: a progress bar when stderr
 * is a terminal, else a line every ~2.5 % of the steps.
 * Exit codes: 0 finished · 2 bad configuration · 3 diverged · 1 other failure · 143/130 cancelled.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEPRECATED_OPTIMIZER_STATES, type TrainConfig } from '../lib/protocol/config';
import { knobAppliesTo, METHOD_SPECIFIC_KNOBS } from '../lib/runs/configuration';
import { parseEvent } from '../lib/protocol/index';
import { EVENTS_FILE, RUNS_DIR } from '../lib/protocol/run-folder';
import { chooseBackend, type BackendChoice, type BackendPreference } from './backend';
import { CHECKPOINT_DIRNAME, findCheckpoint, readCheckpoint, type CheckpointData } from './checkpoint';
import { checkConsistency, ConfigError, parseArgs, validate } from './config';
import { DataError, loadDataset } from './data/index';
import { EventLog, scanForResume } from './events';
import { TEMPLATE_NAMES } from './hf/data';
import { checkFits, checkHfExport, runShape } from './hf/fit';
import { HF_DEFAULT_SEQ, inspectHfFolder, openHfRun, saveHfFor, type HfFolder, type HfRun } from './hf/run';
import { buildRun, modelInfo, modelShape, resolveEpochs, type RunState } from './setup';
import { TerminalProgress } from './progress';
import { trainLoop } from './train';
import { USAGE } from './usage';

let say = (line: string): void => void process.stderr.write(`[layerlab] ${line}\n`);

interface Plan {
  config: TrainConfig;
  outDir: string;
  base: CheckpointData | null;
  resume: CheckpointData | null;
  /** Backend to ask for: the config's, or on resume the one the run trained on. */
  backend: BackendPreference;
  /** On resume: the backend the run is held to (null when forced elsewhere or unknown). */
  pinned: string | null;
  /** Warnings about the command line, logged once the run has started. */
  warnings: string[];
  /** Information about the command line (derived steps), logged once the run has started. */
  notes: string[];
  /** A Hugging Face model folder (--model), checked but not yet loaded. */
  hf: HfFolder | null;
  /** `--dry-run`: print the resolved configuration and the warnings, train nothing. */
  dryRun: boolean;
  /** `steps` given explicitly (with `epochs` it must equal the derived number). */
  stepsGiven: boolean;
  /** `--json`: NDJSON on stdout even when it is a terminal. */
  json: boolean;
}

function load(dir: string): CheckpointData {
  try {
    return readCheckpoint(dir);
  } catch (e) {
    throw new ConfigError(`cannot read checkpoint ${dir}: ${(e as Error).message}`);
  }
}

function readBase(dir: string): CheckpointData {
  const found = findCheckpoint(dir);
  if (!found)
    throw new ConfigError(
      `base checkpoint not found: ${path.resolve(dir)} (give the --out directory of a pretrain run)`,
    );
  return load(found);
}

/** Backend name in the first `run_started` event of the run in `outDir` (checkpoints older than `backend`). */
function startedOn(outDir: string): string | null {
  const file = path.join(outDir, EVENTS_FILE);
  if (!existsSync(file)) return null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"run_started"')) continue;
    try {
      const e = parseEvent(line);
      if (e.type === 'run_started') return e.backend.name;
    } catch {
      // a damaged line: look further
    }
  }
  return null;
}

/** Everything that can be wrong with the command line is found here, before any event is written. */
function plan(argv: string[]): Plan | 'help' {
  const args = parseArgs(argv);
  if (args.help) return 'help';
  const raw = args.raw;
  const home = process.env.LAYERLAB_HOME ?? '.layerlab';
  const outDir = path.resolve(
    (raw.out as string | undefined) ??
      path.join(home, RUNS_DIR, `run-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  if (args.resume) {
    const extra = [...args.explicit].filter((k) => k !== 'out' && k !== 'backend');
    if (!raw.out) throw new ConfigError('--resume needs --out DIR (the run to continue)');
    if (extra.length)
      throw new ConfigError(
        `--resume continues the run's saved configuration; remove ` +
          `${extra.map((k) => `--${k.replace(/_/g, '-')}`).join(', ')}`,
      );
    const found = findCheckpoint(path.join(outDir, CHECKPOINT_DIRNAME)) ?? findCheckpoint(outDir);
    if (!found) throw new ConfigError(`nothing to resume: no checkpoint in ${outDir}`);
    const resume = load(found);
    if (resume.manifest.step >= Number(resume.manifest.config.steps)) {
      throw new ConfigError(`nothing to resume: the run in ${outDir} already finished (step ${resume.manifest.step})`);
    }
    const config = validate({
      ...resume.manifest.config,
      out: outDir,
      ...(raw.backend ? { backend: raw.backend } : {}),
    });
    const hf = config.model_path ? inspectHfFolder(config.model_path) : null;
    const base = config.stage === 'finetune' && config.base && !hf ? readBase(config.base) : null;
    // Exactness is per backend: stay on the one the run trained on (older checkpoints: its config's).
    const recorded = resume.manifest.config.backend;
    const used = resume.manifest.backend ?? (recorded !== 'auto' ? String(recorded) : startedOn(outDir));
    const warnings: string[] = args.warning ? [args.warning] : [];
    let backend: BackendPreference = config.backend;
    let pinned: string | null = null;
    if (used && (!raw.backend || raw.backend === 'auto' || raw.backend === used)) {
      backend = used as BackendPreference;
      pinned = used;
    } else if (used && !args.forceBackend) {
      throw new ConfigError(
        `this run started on backend ${used}; resuming on ${String(raw.backend)} would not continue it exactly ` +
          `(give --force-backend to do it anyway, or drop --backend)`,
      );
    } else if (used) {
      const to = String(raw.backend);
      warnings.push(`started on backend ${used}, resumed on ${to} (--force-backend): losses may differ`);
    }
    const notes: string[] = [];
    return {
      config,
      outDir,
      base,
      resume,
      backend,
      pinned,
      warnings,
      notes,
      hf,
      dryRun: args.dryRun,
      stepsGiven: true,
      json: args.json,
    };
  }
  const stage = (raw.stage as string | undefined) ?? 'finetune';
  if (stage === 'pretrain' && !args.explicit.has('data')) raw.data = 'pretrain';
  let base: CheckpointData | null = null;
  let hf: HfFolder | null = null;
  if (raw.model_path !== undefined) {
    if (raw.base !== undefined)
      throw new ConfigError('--model and --base exclude each other: fine-tune one or the other');
    hf = inspectHfFolder(String(raw.model_path));
    raw.model_path = hf.dir;
  } else if (stage === 'finetune') {
    if (!raw.base)
      throw new ConfigError(
        'stage finetune needs --base DIR (a pretrain run); use --stage pretrain to train from scratch',
      );
    base = readBase(raw.base as string);
    const basePreset = base.manifest.config.preset as string | undefined;
    if (!args.explicit.has('preset') && basePreset) raw.preset = basePreset;
    else if (basePreset && raw.preset !== basePreset)
      throw new ConfigError(`--preset ${String(raw.preset)} does not match the base checkpoint (preset ${basePreset})`);
    raw.base = path.resolve(raw.base as string);
  }
  raw.out = outDir;
  // Absolute paths in the recorded config, so that a resume from another directory finds the same file.
  if (typeof raw.data === 'string' && raw.data !== 'pretrain' && raw.data !== 'instruct')
    raw.data = path.resolve(raw.data);
  const config = validate(raw);
  checkKnobs(config, args.flags, args.written);
  if (typeof raw.save_hf === 'string') raw.save_hf = path.resolve(raw.save_hf);
  if (typeof config.template === 'string' && !(TEMPLATE_NAMES as readonly string[]).includes(config.template))
    config.template = path.resolve(config.template);
  const shape = hf ? { layers: hf.shape.layers, ctx: hf.shape.ctx } : modelShape(config, base);
  const warnings: string[] = args.warning ? [args.warning] : [];
  const toolSeq = args.written.seq;
  if (toolSeq && config.seq !== undefined && config.seq > shape.ctx) {
    // ms-swift's max_length and LMFlow's block_size cap a sample's length; the model's context is the lower cap.
    warnings.push(`${toolSeq} ${config.seq} is over the model's context: seq ${shape.ctx}`);
    config.seq = shape.ctx;
  }
  checkHfExport(config);
  checkConsistency(config, shape.layers, shape.ctx);
  const isPreset = config.data === 'pretrain' || config.data === 'instruct';
  if (!isPreset && !existsSync(config.data)) throw new ConfigError(`data file not found: ${path.resolve(config.data)}`);
  const events = path.join(outDir, EVENTS_FILE);
  if (existsSync(events) && statSync(events).size > 0) {
    throw new ConfigError(
      `${outDir} already holds a run (${EVENTS_FILE}): use --resume to continue it, or another --out`,
    );
  }
  if (args.forceBackend) throw new ConfigError('--force-backend only applies to --resume');
  if (DEPRECATED_OPTIMIZER_STATES[String(raw.optimizer_state)]) {
    warnings.push(
      `optimizer_state '${String(raw.optimizer_state)}' is deprecated: it means '${config.optimizer_state}'`,
    );
  }
  const dryRun = args.dryRun;
  const stepsGiven = args.explicit.has('steps');
  const notes: string[] = [];
  return {
    config,
    outDir,
    base,
    resume: null,
    backend: config.backend,
    pinned: null,
    warnings,
    notes,
    hf,
    dryRun,
    stepsGiven,
    json: args.json,
  };
}

/**
 * Flags for settings the run does not use are refused, as the sweep validator refuses them in a spec: another
 * method's knobs (`--method lora --gamma 2`), and any method's in the pretrain stage. Keys of a --config file are
 * not checked (the server writes complete configs, every knob filled in), nor flags in ms-swift's or LMFlow's
 * spelling: they keep their tool's meaning (`--lisa_activated_layers 0` is how those tools say "full"), which
 * lib/protocol/dialects.ts checks.
 */
function checkKnobs(c: TrainConfig, flags: Set<string>, written: Record<string, string>): void {
  const problems: string[] = [];
  for (const key of flags) {
    if (written[key]) continue;
    const flag = `--${key.replace(/_/g, '-')}`;
    if (c.stage === 'pretrain' && METHOD_SPECIFIC_KNOBS.includes(key))
      problems.push(`${flag}: not used by the pretrain stage (it trains all weights)`);
    else if (c.stage !== 'pretrain' && !knobAppliesTo(key, c.method))
      problems.push(`${flag}: not used by ${c.method} runs`);
  }
  if (problems.length) throw new ConfigError(problems.join('; '));
}

async function main(argv: string[]): Promise<number> {
  let p: Plan | 'help';
  let backend: BackendChoice;
  let run: RunState;
  try {
    p = plan(argv);
    if (p === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (p.dryRun) {
      // epochs: the steps they mean, from the data (a model folder's tokenizer counts them when the run starts).
      if (p.config.epochs !== undefined && !p.resume && !p.hf) {
        const shape = modelShape(p.config, p.base);
        const seq = p.config.seq ?? shape.ctx;
        const data = loadDataset(p.config.data, { seq, seed: p.config.seed, stage: p.config.stage });
        const resolved = resolveEpochs(p.config, data, p.stepsGiven);
        p.config = resolved.config;
        say(resolved.note);
      }
      for (const w of p.warnings) say(`WARNING: ${w}`);
      process.stdout.write(`${JSON.stringify({ config: p.config, warnings: p.warnings }, null, 2)}\n`);
      return 0;
    }
    const { pinned } = p;
    backend = await chooseBackend(p.backend).catch((e: Error) => {
      const hint = pinned ? ` (this run trained on ${pinned}; --backend NAME --force-backend resumes on another)` : '';
      throw new ConfigError(e.message + hint);
    });
    // A run the backend cannot hold is refused before any weight is read (the wasm heap aborts mid-step).
    const seq = p.config.seq ?? (p.hf ? Math.min(p.hf.shape.ctx, HF_DEFAULT_SEQ) : modelShape(p.config, p.base).ctx);
    checkFits(p.config, runShape(p.config, p.hf?.shape ?? null), seq, backend.info.name);
    const hfRun: HfRun | undefined = p.hf ? await openHfRun(p.hf) : undefined;
    run = buildRun(p.config, p.base, p.resume, hfRun);
    // The saved config of a resumed run already holds the derived steps.
    if (p.config.epochs !== undefined && !p.resume) {
      const resolved = resolveEpochs(p.config, run.data, p.stepsGiven);
      p.config = run.config = resolved.config;
      p.notes.push(resolved.note);
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DataError) {
      say(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  mkdirSync(p.outDir, { recursive: true });
  const file = path.join(p.outDir, EVENTS_FILE);
  const resumeLog = p.resume ? scanForResume(file, p.resume.manifest.nextSeq) : null;
  // A terminal gets a progress bar, not NDJSON; the events file always gets the events.
  const echo = p.json || !process.stdout.isTTY;
  const bar = process.stderr.isTTY && !(echo && process.stdout.isTTY) ? new TerminalProgress(process.stderr) : null;
  if (bar) say = (line) => bar.say(`[layerlab] ${line}`);
  const log = new EventLog(file, {
    startSeq: resumeLog?.nextSeq ?? 0,
    present: resumeLog?.present,
    echo,
    onEvent: bar ? (e) => bar.onEvent(e) : undefined,
  });
  let signal: NodeJS.Signals | null = null;
  // First signal: stop at the next step boundary with a checkpoint. Second: stop now. SIGUSR2 is a cluster's
  // warning that the job's time limit is near (Slurm's --signal): the same stop, reported as a timeout.
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(s === 'SIGINT' ? 130 : s === 'SIGUSR2' ? 140 : 143);
    signal = s;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGUSR2', onSignal);
  try {
    log.emit({
      type: 'run_started',
      config: { ...p.config },
      backend: backend.info,
      model: modelInfo(run.model, run.method, run.config),
      ...(p.resume ? { resumedFrom: p.resume.manifest.step } : {}),
      evalSet: { records: run.evalSet.records, hash: run.evalSet.hash },
    });
    if (p.config.eval_batches !== undefined) {
      const message =
        `eval_batches is no longer used: every evaluation scores the same ${run.evalSet.records} ` +
        'held-out records (eval_records)';
      log.emit({ type: 'log', level: 'warn', message });
    }
    for (const note of [...backend.notes, ...p.notes]) log.emit({ type: 'log', level: 'info', message: note });
    for (const w of p.warnings) {
      log.emit({ type: 'log', level: 'warn', message: w });
      say(`WARNING: ${w}`);
    }
    if (backend.info.warning) {
      log.emit({ type: 'log', level: 'warn', message: backend.info.warning });
      say(`WARNING: ${backend.info.warning}`);
    }
    const on = p.hf ? `${p.hf.shape.architecture} ${p.hf.dir}` : p.config.preset;
    say(
      `${p.resume ? `resuming at step ${run.step}` : 'starting'}: ${p.config.stage} ${p.config.method} on ` +
        `${on}, backend ${backend.info.name} (${backend.info.device}), out ${p.outDir}`,
    );
    const onFinish = (r: RunState) => {
      const written = saveHfFor(r, p.outDir);
      if (written) {
        log.emit({
          type: 'log',
          level: 'info',
          message: `wrote Hugging Face folder ${written.dir}: ${written.files.join(', ')}`,
        });
        say(`saved ${written.dir}`);
      }
    };
    const opts = {
      outDir: p.outDir,
      log,
      backend: backend.info,
      say,
      cancelled: () => signal,
      resumed: !!p.resume,
      onFinish,
      stepLines: !bar,
    };
    return await trainLoop(run, opts);
  } catch (e) {
    const err = e as Error;
    const oom = /out of memory|OOM|Array buffer allocation failed|Cannot enlarge memory/i.test(err.message);
    log.emit({
      type: 'failed',
      step: run.step,
      reason: oom ? 'oom' : 'error',
      message: err.stack?.slice(0, 4000) ?? String(err),
    });
    say(`failed: ${err.message}`);
    return 1;
  } finally {
    bar?.end();
    log.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    say(`fatal: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
