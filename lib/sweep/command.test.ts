// Command sweeps in the spec: the macros rendered into each run's argument vector, which parameters a run passes
// (and under which spelling), and every problem of a bad command listed at once. Program files are real files in
// a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_COMMAND, displayCommand, renderCommand, withDefaultWorkdir, type CommandSpec } from './command';
import { dryRun } from './dry-run';
import { planSweep } from './plan';
import { formatProblems, parseSweepSpec } from './spec';
import type { SweepSpec } from './types';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-cmdspec-'));
  fs.writeFileSync(path.join(dir, 'train.py'), 'print(1)\n');
  fs.writeFileSync(path.join(dir, 'train.sh'), 'exit 0\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ok = (spec: object): SweepSpec => {
  const r = parseSweepSpec(JSON.stringify(spec), 'application/json', { cwd: dir });
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.spec;
};
const problems = (spec: object) => {
  const r = parseSweepSpec(JSON.stringify(spec), 'application/json', { cwd: dir });
  if (r.ok) throw new Error('expected problems');
  return formatProblems(r.problems).split('\n');
};

const base = { name: 'cmd', program: 'train.py', parameters: { gamma: { values: [1, 2] } } };
const spec = (over: Partial<CommandSpec> = {}): CommandSpec => ({
  program: 'train.py',
  command: DEFAULT_COMMAND,
  workdir: dir,
  env: {},
  spelling: {},
  ...over,
});

describe('renderCommand', () => {
  const args = { lr: 0.0001, gamma: 2, use_bf16: true, targets: ['q', 'v'], method: 'lisa', seed: 3 };
  it("W&B's default: ${env} ${interpreter} ${program} ${args}, the interpreter a Python for .py", () => {
    expect(renderCommand({ spec: spec(), args, runDir: '/runs/r1', seed: 3, hasSystemPython: true })).toEqual([
      '/usr/bin/env',
      '/usr/bin/python3',
      'train.py',
      '--lr=0.0001',
      '--gamma=2',
      '--use_bf16=true',
      '--targets=["q","v"]',
      '--method=lisa',
      '--seed=3',
    ]);
    const noDebian = renderCommand({ spec: spec(), args: {}, runDir: '/r', seed: 1, hasSystemPython: false });
    expect(noDebian).toEqual(['/usr/bin/env', 'python3', 'train.py']);
    // Not a .py program and no interpreter key: ${interpreter} is dropped; the key overrides.
    expect(renderCommand({ spec: spec({ program: 'train.sh' }), args: {}, runDir: '/r', seed: 1 })).toEqual([
      '/usr/bin/env',
      'train.sh',
    ]);
    const bash = spec({ program: 'train.sh', interpreter: 'bash' });
    expect(renderCommand({ spec: bash, args: {}, runDir: '/r', seed: 1 })).toEqual([
      '/usr/bin/env',
      'bash',
      'train.sh',
    ]);
  });

  it('every other macro, alone and mixed with text, and the spelling the spec wrote', () => {
    const command = [
      'torchrun',
      '${args_no_hyphens}',
      '--config=${args_json}',
      '${args_json_file}',
      '--out=${run_dir}/ckpt',
      'seed-${seed}',
      '${run_dir}',
    ];
    const s = spec({ command, spelling: { gamma: 'lisa_activated_layers' } });
    expect(renderCommand({ spec: s, args: { gamma: 2, seed: 3 }, runDir: '/runs/r1', seed: 3 })).toEqual([
      'torchrun',
      'lisa_activated_layers=2',
      'seed=3',
      '--config={"lisa_activated_layers":2,"seed":3}',
      '/runs/r1/args.json',
      '--out=/runs/r1/ckpt',
      'seed-3',
      '/runs/r1',
    ]);
  });

  it('shows a command as one line, quoted only where a shell would need it', () => {
    expect(displayCommand(['python3', 'a b.py', '--x=1', "it's"])).toBe(`python3 'a b.py' --x=1 'it'\\''s'`);
  });
});

describe('command sweep specs', () => {
  it('passes the keys each run sets, pass-through keys included, then method, seed, and γ, K for LISA', () => {
    const s = ok({
      ...base,
      train: { lr: 0.001, model_name_or_path: 'gpt2', use_bf16: true },
      parameters: {
        lisa_activated_layers: { values: [1, 2] },
        lisa_interval_steps: { value: 5 },
        block: { values: [64] },
      },
      seeds: [1, 2],
      baselines: [{ method: 'full', lr: 0.0001, gradient_checkpointing: true }],
    });
    expect(s.command).toMatchObject({
      program: 'train.py',
      command: DEFAULT_COMMAND,
      workdir: dir,
      spelling: { gamma: 'lisa_activated_layers', interval: 'lisa_interval_steps' },
    });
    const plan = planSweep(s);
    expect(plan.runs.map((r) => r.key)).toEqual([
      'lisa-g1-k5-block64-s1',
      'lisa-g2-k5-block64-s1',
      'full-block64-s1',
      'lisa-g1-k5-block64-s2',
      'lisa-g2-k5-block64-s2',
      'full-block64-s2',
    ]);
    expect(plan.runs[1].args).toEqual({
      lr: 0.001,
      model_name_or_path: 'gpt2',
      use_bf16: true,
      gamma: 2,
      interval: 5,
      block: 64,
      method: 'lisa',
      seed: 1,
    });
    expect(plan.runs[2].args).toEqual({
      lr: 0.0001,
      model_name_or_path: 'gpt2',
      use_bf16: true,
      block: 64,
      gradient_checkpointing: true,
      method: 'full',
      seed: 1,
    });
    const argv = renderCommand({ spec: s.command!, args: plan.runs[1].args!, runDir: '/r', seed: 1 });
    expect(argv.slice(3)).toEqual([
      '--lr=0.001',
      '--model_name_or_path=gpt2',
      '--use_bf16=true',
      '--lisa_activated_layers=2',
      '--lisa_interval_steps=5',
      '--block=64',
      '--method=lisa',
      '--seed=1',
    ]);
  });

  it('keeps runs apart that differ only in a pass-through parameter; known keys keep their validation', () => {
    const s = ok({ ...base, parameters: { gamma: { value: 1 }, dropout_p: { values: [0.1, 0.2] } } });
    expect(planSweep(s).runs.map((r) => r.args?.dropout_p)).toEqual([0.1, 0.2]);
    // An LMFlow / ms-swift name of a LayerLab key is that key: checked, and passed under the name written.
    const hf = ok({ ...base, train: { learning_rate: 0.00005, max_steps: 7 } });
    const argv = renderCommand({ spec: hf.command!, args: planSweep(hf).runs[0].args!, runDir: '/r', seed: 1 });
    expect(argv.slice(3, 5)).toEqual(['--learning_rate=0.00005', '--max_steps=7']);
    expect(problems({ ...base, train: { learning_rate: -1 } })).toEqual([
      'train.learning_rate: Too small: expected number to be >0',
    ]);
    expect(problems({ ...base, train: { lr: -1, steps: 0 } })).toEqual([
      'train.lr: Too small: expected number to be >0',
      "train.steps: steps must be ≥ 1 in a sweep (evaluate a model alone with the trainer's --steps 0)",
    ]);
  });

  it('takes model as free text, and refuses pretrain, data and model.base with the reason', () => {
    const s = ok({ ...base, model: 'meta-llama/Llama-2-7b-hf' });
    expect(s.command?.model).toBe('meta-llama/Llama-2-7b-hf');
    expect(
      problems({ ...base, pretrain: { steps: 10 }, data: 'instruct', model: { preset: 'nano', base: '/x' } }),
    ).toEqual([
      'pretrain: a command sweep runs your program only: pretrain in it, or pass a base model as a parameter',
      "data: a command sweep does not read LayerLab's data: pass your data set as a parameter (train: …)",
      'model.base: a command sweep does not hand a checkpoint to your program: pass it as a parameter',
    ]);
  });

  it('lists every problem of a bad command at once', () => {
    expect(
      problems({
        name: 'bad',
        program: 'missing.py',
        command: ['${env}', 42, '${foo}', '--all=${args}', '${program}'],
        env: { HF_HOME: '/h', 'BAD-NAME': 'x', LAYERLAB_RUN_ID: 'x', N: 3 },
        parameters: { gamma: { values: [1] } },
      }),
    ).toEqual([
      `program: no such file: ${path.join(dir, 'missing.py')} (relative to ${dir})`,
      'command[1]: expected text',
      'command[2]: unknown macro ${foo} (known: ${env}, ${interpreter}, ${program}, ${args}, ${args_no_hyphens}, ' +
        '${args_json}, ${args_json_file}, ${run_dir}, ${seed})',
      'command[3]: ${args} expands to several arguments: give it as a list item of its own',
      'env.BAD-NAME: not a variable name',
      'env.LAYERLAB_RUN_ID: LAYERLAB_* variables are set by the server',
      'env.N: expected text (quote it: "3")',
    ]);
    expect(problems({ name: 'x', command: 'python train.py', parameters: { gamma: { values: [1] } } })).toEqual([
      'command: expected a list of strings (an argument vector, never a shell line), e.g. [${env}, ${interpreter}, ' +
        '${program}, ${args}]',
    ]);
    expect(
      problems({
        name: 'x',
        command: ['${env}', '${program}', '${interpreter}'],
        parameters: { gamma: { values: [1] } },
      }),
    ).toEqual([
      'command[1]: ${program} is used but the spec has no program',
      'command[2]: ${interpreter} is used but the spec has neither program nor interpreter',
    ]);
    expect(problems({ ...base, workdir: 'relative/dir' })).toEqual(['workdir: expected an absolute folder path']);
    // A missing workdir is the one problem: the program is not looked for in another folder.
    expect(problems({ ...base, workdir: path.join(dir, 'nope') })).toEqual([
      `workdir: no such folder: ${path.join(dir, 'nope')}`,
    ]);
    // Without program or command the command keys mean nothing.
    expect(
      problems({ name: 'x', model: { preset: 'nano' }, workdir: dir, parameters: { gamma: { values: [1] } } }),
    ).toEqual(['workdir: only for a command sweep: add program or command']);
    // A built-in sweep still refuses keys the trainer does not know.
    expect(
      problems({
        name: 'x',
        model: { preset: 'nano' },
        train: { use_bf16: true },
        parameters: { gamma: { values: [1] } },
      }),
    ).toEqual(['train.use_bf16: unknown key']);
  });

  it('shows each run’s rendered command in a dry run', () => {
    const s = ok({ ...base, command: ['${env}', '${interpreter}', '${program}', '${args}', '--out=${run_dir}'] });
    const d = dryRun(s, [], 1);
    expect(d.runs[0].command?.slice(2)).toEqual([
      'train.py',
      '--gamma=1',
      '--method=lisa',
      '--seed=1',
      '--interval=20',
      '--out=<run_dir>',
    ]);
    expect(d.runs[0].commandLine).toMatch(
      / train\.py --gamma=1 --method=lisa --seed=1 --interval=20 '--out=<run_dir>'$/,
    );
  });
});

describe('withDefaultWorkdir (npm run sweep)', () => {
  it("gives a command sweep without workdir the spec file's folder; anything else goes as written", () => {
    const filled = withDefaultWorkdir('name: x\nprogram: train.py\n', dir, parse);
    expect(filled?.contentType).toBe('application/json');
    expect(JSON.parse(filled!.body)).toEqual({ name: 'x', program: 'train.py', workdir: dir });
    expect(withDefaultWorkdir('name: x\nprogram: t.py\nworkdir: /elsewhere\n', dir, parse)).toBeNull();
    expect(withDefaultWorkdir('name: x\nmodel: { preset: nano }\n', dir, parse)).toBeNull();
    expect(withDefaultWorkdir('name: [unclosed', dir, parse)).toBeNull();
  });
});
