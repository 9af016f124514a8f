/**
 * Trainer benchmark: ms/step, tokens/s and memory for full, LoRA and LISA on `mini` (batch 16, seq 64) or
 * `small` (batch 8, seq 128: the same tokens per step),
 * each method in its own trainer process; plus, when Debian's python3-torch is importable, the PyTorch
 * yardstick on the same shapes in the same run, and the ratios. See docs/trainer.md, "Benchmark".
 * `--model-shape gpt2`: a Hugging Face GPT-2 small folder with random weights (124 M parameters, batch 4,
 * seq 128) loaded through `--model`, as a real checkpoint would be.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MODEL_PRESETS } from '../lib/protocol/config';
import { GPT2_SMALL, writeRandomGpt2 } from './lib/hf-shape';
import { INSTALL_HINT, probeTorch, runTorch, type TorchResult } from './lib/torch';
import { computeRatios, loadWarning, printLayerLab, printTorchAndRatios, writeResults } from './lib/trainer-report';
import { runTrainer, summarise, type TrainerRunResult } from './lib/trainer-run';

const USAGE =
  `usage: npm run bench:trainer -- [--preset mini|small | --model-shape gpt2] [--quick] ` +
  `[--all-gammas] [--steps N] [--warmup N] [--batch N] [--backend B] [--no-torch]
  --preset P    mini (default; batch 16, seq 64) or small (batch 8, seq 128)
  --model-shape gpt2   GPT-2 small (124 M, random weights) as a Hugging Face folder; batch 4, seq 128
  --quick       fewer steps: 3 warm-up + 8 measured (default 5 + 25)
  --all-gammas  LISA with gamma 1 and 4 as well as 2
  --steps N     measured steps per method; --warmup N: discarded steps before them
  --batch N     sequences per step instead of the shape's (gpt2 at batch 1 fits the wasm heap for every method)
  --backend B   auto | tensorflow | wasm | cpu (default auto)
  --no-torch    skip the PyTorch yardstick`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean' },
        'all-gammas': { type: 'boolean' },
        preset: { type: 'string' },
        'model-shape': { type: 'string' },
        'no-torch': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        steps: { type: 'string' },
        warmup: { type: 'string' },
        backend: { type: 'string' },
        batch: { type: 'string' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const warmup = Number(values.warmup ?? (values.quick ? 3 : 5));
    const measured = Number(values.steps ?? (values.quick ? 8 : 25));
    if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(measured) || measured < 1) {
      throw new Error('--steps must be an integer >= 1 and --warmup an integer >= 0');
    }
    const gammas = values['all-gammas'] ? [1, 2, 4] : [2];
    const batch = values.batch === undefined ? undefined : Number(values.batch);
    if (batch !== undefined && (!Number.isInteger(batch) || batch < 1))
      throw new Error('--batch must be an integer >= 1');
    if (values['model-shape'] !== undefined && values['model-shape'] !== 'gpt2')
      throw new Error('--model-shape must be gpt2');
    const preset = values['model-shape'] ? 'hf-gpt2' : (values.preset ?? 'mini');
    if (!(preset in SHAPES)) throw new Error(`--preset must be one of ${Object.keys(SHAPES).join(', ')}`);
    return {
      warmup,
      measured,
      gammas,
      batch,
      preset: preset as keyof typeof SHAPES,
      backend: values.backend ?? 'auto',
      torch: !values['no-torch'],
    };
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

/** Batch and sequence per preset: the same 1,024 tokens per step. */
const SHAPES = {
  mini: { batch: 16, seq: 64 },
  small: { batch: 8, seq: 128 },
  'hf-gpt2': { batch: 4, seq: 128 },
} as const;
const NEVER = '1000000'; // eval, norms and checkpoints beyond the last step (the final ones still happen)

async function main(): Promise<void> {
  const opt = options();
  const PRESET = opt.preset;
  const BATCH = opt.batch ?? SHAPES[PRESET].batch;
  const SEQ = SHAPES[PRESET].seq;
  const hf = PRESET === 'hf-gpt2';
  const shape = hf
    ? {
        d: GPT2_SMALL.n_embd,
        layers: GPT2_SMALL.n_layer,
        heads: GPT2_SMALL.n_head,
        vocab: GPT2_SMALL.vocab_size,
        ctx: 1024,
      }
    : MODEL_PRESETS[PRESET];
  const root = path.resolve(path.dirname(process.argv[1]), '..');
  const cli = path.join(root, 'trainer', 'cli.ts');
  if (!existsSync(cli)) throw new Error(`trainer CLI not found: ${cli}`);
  // The trainer profiles its first step, and a LISA run gathers every block's gradient at its last (the final
  // norms): neither is a timed step, so each run takes two more steps than the warm-up and measured ones.
  const steps = 1 + opt.warmup + opt.measured + 1;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `LayerLab trainer benchmark: ${PRESET} (d=${shape.d}, ${shape.layers} blocks, ${shape.heads} heads), ` +
      `batch ${BATCH}, seq ${SEQ}, ${opt.warmup} warm-up + ${opt.measured} measured steps; ` +
      `${os.cpus().length} cores, ${cpu}, Node ${process.version}`,
  );
  const loadAtStart = os.loadavg();
  const busyAtStart = loadWarning('at the start');
  if (busyAtStart) console.log(busyAtStart);
  const common = [
    ...(hf ? [] : ['--preset', PRESET]),
    '--batch',
    String(BATCH),
    '--seq',
    String(SEQ),
    '--seed',
    '1',
    '--backend',
    opt.backend,
    '--eval-every',
    NEVER,
    '--norms-every',
    NEVER,
    '--checkpoint-every',
    NEVER,
    // The final evaluation still happens: with GPT-2's vocabulary each held-out record is a forward pass.
    ...(hf ? ['--eval-records', '4'] : []),
  ];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-'));
  try {
    // Fine-tuning starts from a base checkpoint (one pretrain step makes one) or from the GPT-2 folder.
    const base = path.join(tmp, 'base');
    if (hf) {
      process.stderr.write('writing a random GPT-2 small folder…\n');
      writeRandomGpt2(root, base);
    } else {
      process.stderr.write('making a base checkpoint (pretrain, 1 step)…\n');
      const pre = await runTrainer(root, {
        label: 'base',
        args: [...common, '--stage', 'pretrain', '--steps', '1', '--out', base],
        warmup: 0,
        timeoutMs: 600_000,
      });
      if (pre.failure) throw new Error(`pretraining the base checkpoint failed: ${pre.failure}`);
    }

    const methods = [
      { label: 'full', args: ['--method', 'full'] },
      { label: 'lora r=8', args: ['--method', 'lora', '--rank', '8', '--alpha', '16'] },
      ...opt.gammas.map((g) => ({
        label: `lisa γ=${g}/${shape.layers}`,
        args: ['--method', 'lisa', '--gamma', String(g), '--interval', '20'],
      })),
    ];
    const results: TrainerRunResult[] = [];
    for (const [i, m] of methods.entries()) {
      process.stderr.write(`running ${m.label} (${steps} steps)…\n`);
      const args = [
        ...common,
        ...m.args,
        hf ? '--model' : '--base',
        base,
        '--steps',
        String(steps),
        '--out',
        path.join(tmp, `run-${i}`),
      ];
      const run = await runTrainer(root, {
        label: m.label,
        args,
        warmup: opt.warmup,
        timeoutMs: 120_000 + steps * 30_000,
      });
      results.push({
        ...summarise(m.label, run.events, opt.warmup, BATCH * SEQ),
        ...(run.failure ? { failure: run.failure } : {}),
      });
    }
    printLayerLab(results);

    let torch: TorchResult[] | undefined;
    let torchNote: string | undefined;
    const probe = opt.torch ? probeTorch(root) : { ok: false as const, reason: 'skipped (--no-torch)' };
    if (probe.ok) {
      if (!probe.openblas) {
        torchNote =
          'libopenblas0-pthread is not installed, so torch uses the reference BLAS (about 15x slower): ' +
          'apt-get install -y libopenblas0-pthread';
      }
      process.stderr.write(`running the PyTorch ${probe.version} yardstick (1 thread)…\n`);
      const { d, layers, heads, vocab } = shape;
      torch = runTorch(probe.script, { d, layers, heads, seq: SEQ, batch: BATCH, vocab, rank: 8, steps: opt.measured });
    } else {
      const hint = probe.reason.includes('import torch') ? `\nInstall Debian's build with:\n  ${INSTALL_HINT}` : '';
      torchNote = `PyTorch yardstick not run: ${probe.reason}.${hint}`;
    }
    if (torchNote) console.log(`\n${torchNote}`);
    const ratios = computeRatios(results, torch);
    printTorchAndRatios(torch, ratios, shape.layers, PRESET);

    const name = PRESET === 'mini' ? 'trainer' : `trainer-${PRESET}`;
    const file = writeResults(root, opt.batch === undefined ? name : `${name}-b${BATCH}`, {
      config: {
        preset: PRESET,
        shape,
        batch: BATCH,
        seq: SEQ,
        warmup: opt.warmup,
        measured: opt.measured,
        backend: opt.backend,
      },
      loadavgAtStart: loadAtStart,
      layerlab: results,
      pytorch: torch ?? null,
      pytorchNote: torchNote ?? null,
      ratios,
    });
    console.log(`\nresults written to ${path.relative(root, file)}`);
    const busyAtEnd = loadWarning('at the end');
    if (busyAtEnd) console.log(busyAtEnd);
    if (results.some((r) => r.failure)) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:trainer failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
