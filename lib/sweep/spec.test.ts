import { describe, expect, it } from 'vitest';
import { formatProblems, parseSweepSpec } from './spec';
import type { Problem, SweepSpec } from './types';

const ARCHITECTURE_EXAMPLE = `
name: lisa-ablation-mini
method: grid                      # grid | random (with run_cap)
model: { preset: mini }
data: { preset: instruct }        # or a path to .txt / .jsonl (Alpaca fields instruction/input/output)
pretrain: { steps: 400 }          # base checkpoint shared by every fine-tune run in the sweep
train: { steps: 300, batch: 16, seq: 64, lr: 3.0e-4, eval_every: 50, norms_every: 10 }
parameters:
  gamma:    { values: [1, 2, 4] }
  interval: { values: [5, 20, 60] }
seeds: [1, 2, 3]
baselines:
  - { method: full }
  - { method: lora, rank: 8, alpha: 16 }
`;

function ok(text: string, type?: string): SweepSpec {
  const r = parseSweepSpec(text, type);
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.spec;
}

function problems(text: string | object, type?: string): Problem[] {
  const r = parseSweepSpec(typeof text === 'string' ? text : JSON.stringify(text), type);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

const minimal = { name: 'x', model: { preset: 'mini' }, parameters: { gamma: { values: [1] } } };

describe('parseSweepSpec', () => {
  it('reads the docs/architecture.md example', () => {
    const spec = ok(ARCHITECTURE_EXAMPLE, 'application/yaml');
    expect(spec.model).toEqual({ preset: 'mini' });
    expect(spec.data).toEqual({ preset: 'instruct' });
    expect(spec.pretrain).toEqual({ steps: 400, seed: 0, data: { preset: 'pretrain' }, overrides: {} });
    expect(spec.train).toMatchObject({ steps: 300, batch: 16, seq: 64, lr: 3e-4 });
    expect(spec.parameters.gamma).toEqual({ values: [1, 2, 4] });
    expect(spec.baselines[1]).toEqual({ method: 'lora', overrides: { rank: 8, alpha: 16 } });
  });

  it('reads the same spec as JSON, with or without a content type', () => {
    const json = JSON.stringify({ ...minimal, seeds: [3] });
    expect(ok(json, 'application/json').seeds).toEqual([3]);
    expect(ok(json).seeds).toEqual([3]);
    expect(ok(json, 'application/yaml; charset=utf-8').seeds).toEqual([3]);
  });

  it('fills defaults: grid, seeds [1], instruct data, no pretrain, no baselines', () => {
    const spec = ok(JSON.stringify(minimal));
    expect(spec).toMatchObject({
      method: 'grid',
      seeds: [1],
      data: { preset: 'instruct' },
      pretrain: null,
      baselines: [],
    });
  });

  it('accepts the LMFlow / ms-swift names anywhere', () => {
    const spec = ok(`
name: aliases
model: { preset: mini }
train: { lisa_interval_steps: 10 }
parameters:
  lisa_activated_layers: { values: [1, 2] }
  lisa_step_interval: { value: 5 }
baselines: [{ method: lisa, lisa_activated_layers: 3, lisa_interval_steps: 7 }]
`);
    expect(spec.train).toEqual({ interval: 10 });
    expect(Object.keys(spec.parameters)).toEqual(['gamma', 'interval']);
    expect(spec.baselines[0].overrides).toEqual({ gamma: 3, interval: 7 });
  });

  it("reads ms-swift / LMFlow keys with their tools' meaning; a baseline may name its method by their switches", () => {
    const spec = ok(`
name: swift-habits
model: { preset: mini }
train: { learning_rate: 5.0e-5, batch_size: 4, eval_steps: 20, save_steps: 40, lr_scheduler_type: linear }
parameters:
  lisa_activated_layers: { values: [1, 2] }
  lisa_step_interval: { value: 20 }
baselines:
  - { sft_type: full, lisa_activated_layers: 0 }
  - { sft_type: lora, lora_rank: 8, lora_alpha: 32, lora_target_modules: [q_proj, v_proj] }
  - { use_lisa: 1, lisa_activated_layers: 3 }
  - { use_lora: true, lora_r: 4 }
`);
    expect(spec.train).toEqual({
      lr: 5e-5,
      batch: 4,
      eval_every: 20,
      checkpoint_every: 40,
      schedule: 'linear',
      min_lr_ratio: 0,
    });
    expect(spec.parameters.gamma).toEqual({ values: [1, 2] });
    expect(spec.baselines.map((b) => [b.method, b.overrides])).toEqual([
      ['full', {}],
      ['lora', { rank: 8, alpha: 32, lora_targets: ['q_proj', 'v_proj'] }],
      ['lisa', { gamma: 3 }],
      ['lora', { rank: 4 }],
    ]);
  });

  it("refuses what the tools' spelling makes ambiguous or meaningless, naming it", () => {
    const list = problems({
      ...minimal,
      train: { max_steps: -1, model_type: 'qwen-7b-chat', sft_type: 'full', learning_rate: 1e-4, lr: 1e-4 },
      parameters: { lisa_activated_layers: { values: [0, 2] } },
      baselines: [
        { sft_type: 'lora', lisa_activated_layers: 2 },
        { method: 'lora', use_lora: 1 },
      ],
    });
    const at = (path: string) => list.find((p) => p.path === path)?.message;
    expect(at('train.max_steps')).toMatch(/max_steps ≤ 0 means "not set".*leave it out/);
    expect(at('train.model_type')).toMatch(/no meaning in LayerLab \(a hub model name/);
    expect(at('train.sft_type')).toMatch(/give it on a baseline/);
    expect(at('train.lr')).toBe('same setting as learning_rate, given twice');
    expect(at('parameters.lisa_activated_layers.values[0]')).toMatch(/turns LISA off in ms-swift and LMFlow/);
    expect(at('baselines[0]')).toMatch(/needs sft_type full/);
    expect(at('baselines[1]')).toMatch(/two spellings of one setting/);
  });

  it('lists every problem with its path (the three-mistake spec)', () => {
    const list = problems(`
name: broken
model: { preset: mini }
train: { steps: 50, foo: 1 }
parameters:
  gamma: { values: [1, 2, 7] }
  interval: { values: [0, 5] }
`);
    expect(list).toEqual([
      { path: 'train.foo', message: 'unknown key' },
      { path: 'parameters.gamma.values[2]', message: '7 exceeds the 6 blocks of preset mini' },
      { path: 'parameters.interval.values[0]', message: 'K must be ≥ 1' },
    ]);
  });

  it('reports paths with the names the user wrote, and alias clashes', () => {
    const list = problems({
      ...minimal,
      parameters: { lisa_activated_layers: { values: [9] } },
      train: { gamma: 1, lisa_activated_layers: 2 },
    });
    expect(list).toContainEqual({
      path: 'parameters.lisa_activated_layers.values[0]',
      message: '9 exceeds the 6 blocks of preset mini',
    });
    expect(list).toContainEqual({ path: 'train.lisa_activated_layers', message: 'same setting as gamma, given twice' });
  });

  it('finds an empty grid, a grid over run_cap and over the hard maximum', () => {
    expect(problems({ ...minimal, parameters: {} })).toEqual([
      { path: 'parameters', message: expect.stringContaining('empty grid') },
    ]);
    const big = { gamma: { values: [1, 2, 3, 4] }, interval: { values: [1, 2, 3, 4] } };
    const capped = problems({
      ...minimal,
      run_cap: 50,
      parameters: big,
      seeds: [1, 2, 3],
      baselines: [{ method: 'full' }, { method: 'lora' }],
    });
    expect(capped).toEqual([
      { path: 'run_cap', message: expect.stringMatching(/^grid has 54 runs .*over run_cap 50$/) },
    ]);
    const huge = { ...big, lr: { values: Array.from({ length: 70 }, (_, i) => (i + 1) * 1e-5) } };
    expect(problems({ ...minimal, parameters: huge })[0]).toMatchObject({
      path: 'parameters',
      message: expect.stringContaining('maximum of 1000'),
    });
  });

  it('refuses structural and misplaced keys with a reason', () => {
    const list = problems({
      ...minimal,
      wandb_project: 'x',
      train: { preset: 'nano', eval_evry: 5 },
      parameters: { seed: { values: [1] }, gamma: { values: [1] } },
      baselines: [{ method: 'full', gamma: 2 }, { method: 'dora' }],
      pretrain: { steps: 10, rank: 4 },
    });
    const paths = list.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'wandb_project',
        'train.preset',
        'train.eval_evry',
        'parameters.seed',
        'baselines[0].gamma',
        'baselines[1].method',
        'pretrain.rank',
      ]),
    );
    expect(list.find((p) => p.path === 'train.eval_evry')?.message).toBe('unknown key (did you mean eval_every?)');
    expect(list.find((p) => p.path === 'baselines[0].gamma')?.message).toBe('not used by full runs');
  });

  it('checks values against the trainer config schema and the preset', () => {
    const list = problems({
      ...minimal,
      train: { seq: 128, sampling: 'greedy', lr: -1 },
      parameters: { gamma: { values: [1.5] }, optimizer_state: { values: ['keep', 'forget'] } },
      seeds: [1, 1],
    });
    const at = Object.fromEntries(list.map((p) => [p.path, p.message]));
    expect(at['train.seq']).toBe('128 exceeds the context length 64 of preset mini');
    expect(at['train.sampling']).toMatch(/uniform.*bernoulli.*importance.*fixed/);
    expect(at['train.lr']).toMatch(/Too small/);
    expect(at['parameters.gamma.values[0]']).toMatch(/int/);
    expect(at['parameters.optimizer_state.values[1]']).toMatch(/reset.*keep/);
    expect(at['seeds[1]']).toBe('seed 1 listed twice');
  });

  it('takes the sampling rule and granularity as axes; fixed_blocks only where every run samples fixed', () => {
    const axes = { gamma: { values: [2] }, sampling: { values: ['uniform', 'importance'] } };
    const grid = ok(
      JSON.stringify({ ...minimal, parameters: { ...axes, granularity: { values: ['block', 'module'] } } }),
    );
    expect(Object.keys(grid.parameters)).toEqual(['gamma', 'sampling', 'granularity']);
    const mixed = problems({ ...minimal, parameters: { ...axes, fixed_blocks: { values: [[0], [1]] } } });
    expect(mixed.find((p) => p.path === 'parameters.fixed_blocks')?.message).toBe(
      'only sampling fixed uses fixed_blocks; runs with sampling uniform would refuse it',
    );
    const fixed = { ...minimal, train: { sampling: 'fixed' }, parameters: { fixed_blocks: { values: [[0], [5]] } } };
    expect(ok(JSON.stringify(fixed)).parameters.fixed_blocks).toEqual({ values: [[0], [5]] });
    expect(problems({ ...minimal, parameters: { granularity: { values: ['layer'] } } })[0].message).toMatch(/block/);
  });

  it("refuses steps 0 in a sweep: its runs train (evaluation alone is the trainer's --steps 0)", () => {
    const list = problems({ ...minimal, train: { steps: 0 }, pretrain: { steps: 0 } });
    const at = Object.fromEntries(list.map((p) => [p.path, p.message]));
    expect(at['train.steps']).toMatch(/steps must be ≥ 1/);
    expect(at['pretrain.steps']).toMatch(/steps must be ≥ 1/);
  });

  it('needs run_cap for random search and ranges only there', () => {
    const range = { lr: { min: 1e-4, max: 1e-2, distribution: 'log_uniform_values' } };
    expect(problems({ ...minimal, parameters: range })[0]).toMatchObject({
      path: 'parameters.lr',
      message: expect.stringContaining('method: random'),
    });
    expect(problems({ ...minimal, method: 'random', parameters: range })[0]).toMatchObject({ path: 'run_cap' });
    const spec = ok(JSON.stringify({ ...minimal, method: 'random', run_cap: 6, parameters: range }));
    expect(spec.parameters.lr).toEqual({ min: 1e-4, max: 1e-2, distribution: 'log_uniform_values' });
  });

  it('checks a baseline grid like a parameter: known key, used by the method, valid values, values only', () => {
    const r = parseSweepSpec(
      JSON.stringify({
        name: 'x',
        model: { preset: 'nano' },
        parameters: { gamma: { values: [1] } },
        baselines: [
          { method: 'lora', lr: { values: [0.003, -1] } },
          { method: 'full', gamma: { values: [1, 2] } },
          { method: 'full', lr: { values: [] } },
          { method: 'full', lr: { values: [0.1], value: 0.2 } },
          { method: 'full', lrr: { values: [0.1] } },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual([
      'baselines[0].lr.values[1]',
      'baselines[1].gamma',
      'baselines[2].lr.values',
      'baselines[3].lr',
      'baselines[4].lrr',
    ]);
    expect(r.problems[1].message).toBe('not used by full runs');
    expect(r.problems[4].message).toBe('unknown key (did you mean lr?)');
  });

  it('flags a LoRA-only parameter that no LoRA baseline uses', () => {
    const list = problems({ ...minimal, parameters: { gamma: { value: 1 }, rank: { values: [4, 8] } } });
    expect(list).toEqual([{ path: 'parameters.rank', message: expect.stringContaining('LoRA runs only') }]);
    ok(JSON.stringify({ ...minimal, parameters: { rank: { values: [4, 8] } }, baselines: [{ method: 'lora' }] }));
  });

  it('checks model and data sections and pretrain vs model.base', () => {
    const list = problems({ ...minimal, model: { preset: 'huge', base: '/ckpt' }, data: { path: 'notes.pdf' } });
    expect(list.map((p) => p.path)).toEqual(['model.preset', 'data.path']);
    const both = problems({ ...minimal, model: { preset: 'mini', base: '/ckpt' }, pretrain: { steps: 10 } });
    expect(both).toEqual([{ path: 'model.base', message: expect.stringContaining('not both') }]);
    expect(ok(JSON.stringify({ ...minimal, data: 'corpus/alpaca.jsonl' })).data).toEqual({
      path: 'corpus/alpaca.jsonl',
    });
  });

  it('reports syntax errors with a position', () => {
    expect(problems('name: [x\nmodel: 1', 'application/yaml')[0].message).toMatch(/^invalid YAML at line/);
    expect(problems('{"name": ', 'application/json')[0].message).toMatch(/^invalid JSON/);
    expect(problems('a: 1\na: 2\n')[0].message).toMatch(/unique/);
    expect(problems('- 1\n- 2\n')[0].message).toMatch(/mapping/);
    expect(problems('  ')[0].message).toBe('empty spec');
  });
});

describe('executor', () => {
  it('takes a Slurm section and reports each bad key with its path', () => {
    const spec = ok(
      `${ARCHITECTURE_EXAMPLE}executor: { kind: slurm, partition: gpu, gres: 'gpu:1', time: '2:00:00' }\n`,
    );
    expect(spec.executor).toEqual({ kind: 'slurm', partition: 'gpu', gres: 'gpu:1', time: '2:00:00' });
    expect(ok(ARCHITECTURE_EXAMPLE).executor).toBeUndefined();
    expect(problems(`${ARCHITECTURE_EXAMPLE}executor: { kind: slurm, time: soon, cpus: 2 }\n`)).toEqual([
      { path: 'executor.time', message: expect.stringMatching(/^expected a Slurm time/) },
      { path: 'executor.cpus', message: expect.stringMatching(/^unknown key; expected kind or one of partition/) },
    ]);
    expect(problems(`${ARCHITECTURE_EXAMPLE}executor: slurm\n`)).toEqual([
      { path: 'executor', message: 'expected a mapping { kind: slurm, partition, ... }' },
    ]);
  });
});
