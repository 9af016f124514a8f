// Sweeps on a Hugging Face model folder (`model: { path }`, `save_hf: true`): the folder read at submission on the
// committed fixtures, each planned run checked as the trainer would, and the dry run's memory from config.json's
// shapes, with runs the wasm heap cannot hold refused before anything is queued.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, sparseLlama7b } from '@/trainer/hf/fixtures';
import { AppError } from '../errors';
import { parseOrThrow } from './create';
import { dryRun } from './dry-run';
import { checkPlannedRuns, inspectModelFolder } from './model';
import { pathRoots } from './paths';
import { planSweep } from './plan';
import { validateSweepSpec } from './validate';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-model-sweep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
// The fixtures and the temporary folders are data folders of this home.
const roots = pathRoots(tmp, { LAYERLAB_DATA_DIRS: `${FIXTURES}:${tmp}` });
const GPT2 = path.join(FIXTURES, 'gpt2-tiny');
const EVAL_TXT = path.join(FIXTURES, 'eval.txt');

const spec = (extra: Record<string, unknown> = {}) => ({
  name: 'fig2',
  model: { path: GPT2 },
  data: { path: EVAL_TXT },
  train: { steps: 4, batch: 2, seq: 16, save_hf: true },
  parameters: { gamma: { values: [1, 2] }, interval: { values: [2] } },
  seeds: [1, 2],
  baselines: [{ method: 'full' }, { method: 'lora', rank: 2, alpha: 4, lora_targets: ['c_attn'], merge_lora: true }],
  ...extra,
});

function submit(body: Record<string, unknown>) {
  return parseOrThrow(JSON.stringify(body), 'application/json', roots);
}

function problems(body: Record<string, unknown>): string[] {
  try {
    submit(body);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).problems!.map((p) => `${p.path}: ${p.message}`);
  }
}

function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

describe('model: { path } in a sweep', () => {
  it('reads the folder at submission and plans runs that fine-tune it with save_hf into each run folder', () => {
    const s = submit(spec());
    expect(s.model).toMatchObject({ path: GPT2, hf: { architecture: 'GPT2LMHeadModel', layers: 2, ctx: 64 } });
    const plan = planSweep(s);
    expect(plan.pretrain).toBeNull();
    expect(plan.runs.map((r) => r.key)).toEqual([
      'lisa-g1-k2-s1',
      'lisa-g2-k2-s1',
      'full-s1',
      'lora-r2-a4-s1',
      'lisa-g1-k2-s2',
      'lisa-g2-k2-s2',
      'full-s2',
      'lora-r2-a4-s2',
    ]);
    for (const r of plan.runs) {
      expect(r.config).toMatchObject({ model_path: GPT2, stage: 'finetune', save_hf: true, seq: 16 });
      expect(r.config.base).toBeUndefined();
    }
    expect(plan.runs.find((r) => r.kind === 'lora')?.config.merge_lora).toBe(true);
  });

  it("defaults seq to the model's context, at most 256, not a preset's", () => {
    const s = submit(spec({ train: { steps: 4, batch: 2, save_hf: true } }));
    expect(planSweep(s).runs.every((r) => r.config.seq === 64)).toBe(true);
  });

  it('refuses a folder the trainer could not train, with the reason the trainer gives', () => {
    const noConfig = copyFixture('gpt2-tiny');
    fs.rmSync(path.join(noConfig, 'config.json'));
    expect(problems(spec({ model: { path: noConfig } }))).toEqual([
      `model.path: ${noConfig}: no config.json (not a Hugging Face model folder)`,
    ]);
    const t5 = copyFixture('gpt2-tiny');
    fs.writeFileSync(path.join(t5, 'config.json'), JSON.stringify({ architectures: ['T5Model'], model_type: 't5' }));
    expect(problems(spec({ model: { path: t5 } }))).toEqual([
      expect.stringMatching(
        /^model\.path: .*config\.json: unsupported architecture T5Model \(supported: GPT2LMHeadModel/,
      ),
    ]);
    const truncated = copyFixture('gpt2-tiny');
    fs.truncateSync(path.join(truncated, 'model.safetensors'), 5000);
    expect(problems(spec({ model: { path: truncated } }))).toEqual([
      expect.stringMatching(/^model\.path: .*model\.safetensors: .*(truncated|ends)/),
    ]);
    const noTokenizer = copyFixture('gpt2-tiny');
    fs.rmSync(path.join(noTokenizer, 'tokenizer.json'));
    expect(problems(spec({ model: { path: noTokenizer } }))).toEqual([
      `model.path: ${noTokenizer}: no tokenizer.json (a model sweep trains with the folder's own tokenizer)`,
    ]);
    expect(problems(spec({ model: { path: '/etc' } }))).toEqual([
      expect.stringMatching(/^model\.path: \/etc is outside/),
    ]);
  });

  it("checks γ and seq against the model's blocks and context", () => {
    expect(problems(spec({ parameters: { gamma: { values: [1, 3] } } }))).toEqual([
      `runs (lisa-g3-k20-s1, lisa-g3-k20-s2): gamma (γ = 3) exceeds the number of transformer blocks (2) of the ` +
        `model ${GPT2}`,
    ]);
    expect(problems(spec({ train: { steps: 4, seq: 128 } }))).toContainEqual(
      expect.stringMatching(/seq 128 exceeds the context length 64 of the model/),
    );
  });

  it('explains the combinations that mean nothing with a model folder', () => {
    const out = validateSweepSpec({
      ...spec(),
      model: { path: GPT2, preset: 'nano' },
      pretrain: { steps: 5 },
      train: { steps: 4, save_hf: 'exports/', merge_lora: true, epochs: 1 },
    });
    expect(out.ok).toBe(false);
    const lines = out.ok ? [] : out.problems.map((p) => `${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'model.preset: a model folder (model.path) is the model: leave out model.preset and model.base',
        "pretrain: a model sweep fine-tunes the folder's weights: a pretrain stage would train a preset from scratch",
        "train.save_hf: in a sweep save_hf is true (into each run's folder, hf/) or false, not a path",
        'train.merge_lora: set merge_lora on the LoRA baseline: { method: lora, merge_lora: true }',
        expect.stringMatching(/^train\.epochs: over text a model's tokenizer decides how many windows/),
      ]),
    );
    const preset = validateSweepSpec({ ...spec(), model: { preset: 'nano' }, baselines: [] });
    expect(preset.ok ? [] : preset.problems).toEqual([
      { path: 'train.save_hf', message: 'writes a Hugging Face folder: it needs model.path' },
    ]);
    const file = validateSweepSpec({ ...spec(), train: { steps: 4, template: 'my.jinja' } });
    expect(file.ok ? [] : file.problems).toEqual([
      { path: 'train.template', message: "in a sweep template is alpaca or chat (the model folder's chat_template)" },
    ]);
    const chat = validateSweepSpec({
      ...spec(),
      model: { preset: 'nano' },
      baselines: [],
      train: { template: 'chat' },
    });
    expect(chat.ok ? [] : chat.problems).toEqual([
      { path: 'train.template', message: "formats records with a model's tokenizer: it needs model.path" },
    ]);
    const text = validateSweepSpec({ ...spec(), train: { steps: 4, template: 'chat' } });
    expect(text.ok ? [] : text.problems).toEqual([
      { path: 'train.template', message: 'formats .json / .jsonl records: the data is text' },
    ]);
    const jsonl = path.join(FIXTURES, 'qwen2-tiny-chat', 'chat.jsonl');
    expect(validateSweepSpec({ ...spec(), data: { path: jsonl }, train: { steps: 4, template: 'chat' } }).ok).toBe(
      true,
    );
    const full = validateSweepSpec({ ...spec(), baselines: [{ method: 'full', merge_lora: true }] });
    expect(full.ok ? [] : full.problems).toEqual([
      { path: 'baselines[0].merge_lora', message: 'not used by full runs' },
    ]);
  });
});

describe('the dry run and the fit to the backend', () => {
  it("estimates memory from config.json's shapes, per method", () => {
    const d = dryRun(submit(spec()), [], 1);
    const byKind = Object.fromEntries(
      d.runs.filter((r) => r.seed === 1).map((r) => [r.key.split('-')[0], r.estimate.memory]),
    );
    const lisa1 = d.runs.find((r) => r.key === 'lisa-g1-k2-s1')!.estimate.memory;
    // gpt2-tiny: 267 × 16 + 64 × 16 + 2 blocks of 3,152 + 2 × 16 (tied head).
    expect(byKind.full.params).toBe(
      267 * 16 + 64 * 16 + 2 * (4 * 16 + 16 * 48 + 48 + 16 * 16 + 16 + 16 * 64 + 64 + 64 * 16 + 16) + 32,
    );
    expect(byKind.full.trainableParams).toBe(byKind.full.params);
    expect(byKind.lora.trainableParams).toBeLessThan(byKind.full.params / 2);
    expect(lisa1.trainableParams).toBeLessThan(byKind.full.params);
    expect(lisa1.peakBytes).toBeLessThan(byKind.full.peakBytes);
    expect(d.assumptions[0]).toContain(`from ${GPT2}/config.json (GPT2LMHeadModel)`);
    expect(d.assumptions[1]).toMatch(/no measured runs of the model .* scaled by parameters/);
  });

  it('refuses, on wasm, a run the 4 GiB heap cannot hold: the bytes it needs and the backend that would', () => {
    const dir = sparseLlama7b(path.join(tmp, 'llama-2-7b'));
    const body = spec({ model: { path: dir }, train: { steps: 4, batch: 1, seq: 64 }, baselines: [] });
    const s = parseOrThrow(JSON.stringify(body), 'application/json');
    const folder = inspectModelFolder(dir);
    if ('problem' in folder) throw new Error(folder.problem);
    const withShape = { ...s, model: { path: dir, hf: folder.shape } };
    const runs = planSweep(withShape).runs;
    const found = checkPlannedRuns(runs, withShape.model.hf, 'wasm');
    expect(found).toHaveLength(2);
    expect(found[0].path).toBe('runs (lisa-g1-k2-s1, lisa-g1-k2-s2)');
    expect(found[0].message).toMatch(
      new RegExp(
        String.raw`^LlamaForCausalLM \(6\.74 B parameters, lisa, batch 1 × seq 64, float32\) needs about \d+ ` +
          String.raw`bytes \(\d+\.\d GiB\) but the wasm heap holds at most 4294967296 bytes \(4 GiB\); ` +
          '.*--backend tensorflow',
      ),
    );
    expect(checkPlannedRuns(runs, withShape.model.hf, 'tensorflow')).toEqual([]);
  });

  it('refuses a preset run the wasm heap cannot hold, as the trainer would', () => {
    const body = {
      name: 'big',
      model: { preset: 'gpt2' },
      train: { steps: 4, batch: 16, seq: 256 },
      parameters: { gamma: { value: 2 } },
      baselines: [{ method: 'full' }],
    };
    const s = parseOrThrow(JSON.stringify(body), 'application/json');
    const found = checkPlannedRuns(planSweep(s).runs, null, 'wasm');
    expect(found.map((p) => p.path)).toContain('runs.full-s1');
    expect(found.find((p) => p.path === 'runs.full-s1')?.message).toMatch(
      /^preset gpt2 \(0\.16 B parameters, full, batch 16 × seq 256, float32\) needs about \d+ bytes/,
    );
    const small = { ...body, train: { steps: 4, batch: 1, seq: 16 }, baselines: [{ method: 'lora' }] };
    expect(checkPlannedRuns(planSweep(parseOrThrow(JSON.stringify(small))).runs, null, 'wasm')).toEqual([]);
    expect(() => submit({ ...body, model: { preset: 'gpt2' } })).toThrow(AppError);
  });
});
