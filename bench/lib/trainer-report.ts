/** Tables, ratios and the results file of the trainer benchmark. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixed, mib, ratio, table } from './stats';
import type { TorchResult } from './torch';
import type { TrainerRunResult } from './trainer-run';

export type Ratios = Record<string, number | undefined>;

export function printLayerLab(results: readonly TrainerRunResult[]): void {
  const rows = results.map((r) => [
    r.label,
    r.backend ? `${r.backend.name}${r.backend.gpu ? ' (gpu)' : ''}` : '—',
    fixed(r.stepMs),
    fixed(r.tokensPerS, 0),
    mib(r.mem['mem/peak_bytes']),
    mib(r.mem['mem/rss_bytes']),
    mib(r.mem['mem/wasm_heap_bytes']),
    r.trainableParams?.toLocaleString('en-US') ?? '—',
  ]);
  const header = ['method', 'backend', 'ms/step', 'tokens/s', 'peak', 'rss', 'wasm heap', 'trainable'];
  console.log(`\n${table(header, rows)}`);
  for (const r of results) if (r.failure) console.log(`  ${r.label} FAILED: ${r.failure}`);
}

/** LISA γ=2 is compared with the yardstick's LISA, which trains 2 fixed blocks (1 and 4) of 6. */
export function computeRatios(results: readonly TrainerRunResult[], torch: readonly TorchResult[] | undefined): Ratios {
  const ours = (prefix: string) => results.find((r) => r.label.startsWith(prefix) && !r.failure);
  const theirs = (mode: string) => torch?.find((t) => t.mode === mode);
  const full = ours('full'),
    lora = ours('lora'),
    lisa = ours('lisa γ=2');
  return {
    'lisa2/full step time (LayerLab)': ratio(lisa?.stepMs, full?.stepMs),
    'lora/full step time (LayerLab)': ratio(lora?.stepMs, full?.stepMs),
    'lisa2/full step time (PyTorch)': ratio(theirs('lisa')?.ms_median, theirs('full')?.ms_median),
    'lora/full step time (PyTorch)': ratio(theirs('lora')?.ms_median, theirs('full')?.ms_median),
    'full tokens/s LayerLab/PyTorch': ratio(full?.tokensPerS, theirs('full')?.tokens_per_s),
    'lora tokens/s LayerLab/PyTorch': ratio(lora?.tokensPerS, theirs('lora')?.tokens_per_s),
    'lisa2 tokens/s LayerLab/PyTorch': ratio(lisa?.tokensPerS, theirs('lisa')?.tokens_per_s),
  };
}

/**
 * The trainer's goals, by preset (`hf-gpt2`: GPT-2 small's shape): full fine-tuning's tokens/s ≥ 0.5× PyTorch's
 * on one thread each, on `mini` and `small`; LISA γ=2's step time ≤ 0.6× full's on `small` and GPT-2 small's
 * shape, ≤ 0.85× on `mini` (too small a model for the frozen blocks to save much). null: no goal.
 */
export function trainerGoals(preset: string): { fullVsTorch: number | null; lisaOverFull: number | null } {
  return {
    fullVsTorch: preset === 'mini' || preset === 'small' ? 0.5 : null,
    lisaOverFull: preset === 'small' || preset === 'hf-gpt2' ? 0.6 : preset === 'mini' ? 0.85 : null,
  };
}

function goalNote(key: string, v: number, preset: string): string {
  const g = trainerGoals(preset);
  const note = (goal: number | null, ok: boolean, op: string) =>
    goal === null ? '' : `${op} ${goal} ${ok ? 'met' : 'MISSED'}`;
  if (key === 'full tokens/s LayerLab/PyTorch') return note(g.fullVsTorch, v >= (g.fullVsTorch ?? 0), '≥');
  if (key === 'lisa2/full step time (LayerLab)') return note(g.lisaOverFull, v <= (g.lisaOverFull ?? 0), '≤');
  return '';
}

/** `layers`: the shape's blocks, of which the yardstick's LISA trains blocks 1 and 4. */
export function printTorchAndRatios(
  torch: readonly TorchResult[] | undefined,
  ratios: Ratios,
  layers: number,
  preset: string,
): void {
  if (torch?.length) {
    const lisaName = `lisa 2/${layers} (blocks 1,4)`;
    const name = (mode: string) => (mode === 'lisa' ? lisaName : mode === 'lora' ? 'lora r=8' : mode);
    const rows = torch.map((t) => [name(t.mode), fixed(t.ms_median), String(t.tokens_per_s)]);
    console.log(
      `\n${torch[0].peer}, ${torch[0].threads} thread, same GPT ` +
        `shape:\n${table(['method', 'ms/step', 'tokens/s'], rows)}`,
    );
  }
  const rows = Object.entries(ratios)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([k, v]) => [k, `${fixed(v, 2)}×`, goalNote(k, v, preset)]);
  console.log(`\n${table(['ratio', 'value', 'goal'], rows)}`);
}

/** A warning when other work competes for the CPU (load average above the core count). */
export function loadWarning(when: string): string | undefined {
  const [one] = os.loadavg();
  const cores = os.cpus().length;
  return one > cores
    ? `warning: load average ${one.toFixed(1)} on ${cores} cores ${when}: other work competes, figures are noisy`
    : undefined;
}

/** bench/results/trainer-<date>.json; returns its path. */
export function writeResults(root: string, name: string, payload: Record<string, unknown>): string {
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const now = new Date();
  const file = path.join(dir, `${name}-${now.toISOString().slice(0, 10)}.json`);
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavgAtEnd: os.loadavg(),
  };
  writeFileSync(file, `${JSON.stringify({ date: now.toISOString(), machine, ...payload }, null, 2)}\n`);
  return file;
}
