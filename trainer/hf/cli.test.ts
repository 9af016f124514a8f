// `npm run train -- --model DIR` as a real child process: eval-only runs print the reference loss, fine-tuning
// runs train, and broken model folders are one-line errors with exit code 2 that leave no run folder behind.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../../lib/protocol/index';
import { FIXTURES, reference, sparseLlama7b } from './fixtures';

const root = path.resolve(__dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-hfcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const EVAL_TXT = path.join(FIXTURES, 'eval.txt');
/** `save_hf: true` (as a sweep writes it): the folder goes to OUT/hf. */
const saveHfConfig = path.join(tmp, 'save-hf.json');
writeFileSync(saveHfConfig, JSON.stringify({ save_hf: true }));

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'wasm', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function events(dir: string): RunEvent[] {
  return readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);
}

const llama7b = () => sparseLlama7b(path.join(tmp, 'llama-2-7b'));

function copyFixture(name: string): string {
  const dir = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

describe('--model DIR', () => {
  it.each(['gpt2-tiny', 'llama-tiny-gqa'])(
    '%s: --steps 0 evaluates and prints the reference eval loss',
    async (name) => {
      const ref = reference(name) as ReturnType<typeof reference> & { eval_seq: number };
      const out = path.join(tmp, `eval-${name}`);
      const r = await cli([
        '--model',
        path.join(FIXTURES, name),
        '--steps',
        '0',
        '--data',
        EVAL_TXT,
        '--seq',
        String(ref.eval_seq),
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const ev = events(out);
      const evalEvent = ev.find((e) => e.type === 'eval');
      expect(evalEvent?.type === 'eval' && Math.abs(evalEvent.values['eval/loss'] - ref.eval_text.loss)).toBeLessThan(
        1e-5,
      );
      expect(ev.at(-1)?.type).toBe('finished');
      expect(ev.some((e) => e.type === 'metrics' || e.type === 'checkpoint')).toBe(false);
      const started = ev.find((e) => e.type === 'run_started');
      const groups =
        name === 'gpt2-tiny'
          ? ['embed', 'pos', 'block.0', 'block.1', 'lnf']
          : ['embed', 'block.0', 'block.1', 'lnf', 'head'];
      expect(started?.type === 'run_started' && started.model.groups).toEqual(groups);
    },
  );

  it('fine-tunes with LoRA on PEFT module names, changing only the adapters, and saves a PEFT adapter', async () => {
    const out = path.join(tmp, 'lora');
    const r = await cli([
      '--model',
      path.join(FIXTURES, 'gpt2-tiny'),
      '--method',
      'lora',
      '--lora-targets',
      'c_attn',
      '--rank',
      '2',
      '--steps',
      '4',
      '--batch',
      '2',
      '--seq',
      '16',
      '--data',
      EVAL_TXT,
      '--lr',
      '0.01',
      '--out',
      out,
      '--config',
      saveHfConfig,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const hf = path.join(out, 'hf');
    expect(
      ['adapter_config.json', 'adapter_model.safetensors', 'tokenizer.json'].every((f) => existsSync(path.join(hf, f))),
    ).toBe(true);
    expect(existsSync(path.join(hf, 'model.safetensors'))).toBe(false);
    const log = events(out).find((e) => e.type === 'log' && e.message.startsWith('wrote Hugging Face folder'));
    expect(log).toBeDefined();
    expect(events(out).at(-1)?.type).toBe('finished');
    const last = events(out)
      .filter((e) => e.type === 'layer_norms')
      .at(-1);
    const modules = last?.type === 'layer_norms' ? (last.modules ?? {}) : {};
    expect(Object.keys(modules)).toContain('block.0/attn.c_attn');
    expect(modules['block.0/attn.c_attn'].update).toBeGreaterThan(0);
    expect(modules['block.0/mlp.c_fc'].update).toBe(0);
  });

  it("chat records: the model folder's chat template; without one, a one-line error and no run folder", async () => {
    const chat = path.join(FIXTURES, 'qwen2-tiny-chat');
    const data = path.join(chat, 'chat.jsonl');
    const out = path.join(tmp, 'chat');
    const r = await cli(['--model', chat, '--steps', '0', '--data', data, '--seq', '64', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const evalEvent = events(out).find((e) => e.type === 'eval');
    expect(evalEvent?.type === 'eval' && Number.isFinite(evalEvent.values['eval/loss'])).toBe(true);
    expect(evalEvent?.type === 'eval' && 'eval/accuracy' in evalEvent.values).toBe(false);

    const bad = path.join(tmp, 'chat-no-template');
    const plain = path.join(FIXTURES, 'qwen2-tiny-tied');
    const e = await cli(['--model', plain, '--steps', '0', '--data', data, '--seq', '64', '--out', bad]);
    expect(e.code).toBe(2);
    const lines = e.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        String.raw`^\[layerlab\] error: chat\.jsonl holds chat records \(messages\), but .*qwen2-tiny-tied/` +
          'tokenizer_config\\.json has no chat_template: give --template FILE',
      ),
    );
    expect(existsSync(bad)).toBe(false);
  });

  describe('bad model folders: exit 2, one line naming the problem, no run folder', () => {
    const cases: [string, () => string, RegExp][] = [
      [
        'no config.json',
        () => {
          const d = copyFixture('gpt2-tiny');
          rmSync(path.join(d, 'config.json'));
          return d;
        },
        /no config\.json \(not a Hugging Face model folder\)/,
      ],
      [
        'a truncated safetensors file',
        () => {
          const d = copyFixture('gpt2-tiny');
          truncateSync(path.join(d, 'model.safetensors'), 5000);
          return d;
        },
        /model\.safetensors: truncated safetensors file/,
      ],
      [
        'a tensor of the wrong shape',
        () => {
          const d = copyFixture('llama-tiny-gqa');
          const c = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
          writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...c, intermediate_size: 32 }));
          return d;
        },
        /tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[24,16\], config\.json implies \[32,16\]/,
      ],
      [
        'a 7B model on wasm',
        llama7b,
        new RegExp(
          String.raw`LlamaForCausalLM \(6\.74 B parameters, full, batch 8 × seq 256, float32\) needs about \d+ ` +
            String.raw`bytes \(\d+\.\d GiB\) but the wasm heap holds at most 4294967296 bytes \(4 GiB\); ` +
            String.raw`.*--backend tensorflow`,
        ),
      ],
      [
        '--save-hf without --model',
        () => '',
        /--save-hf writes a Hugging Face folder: it needs a run from --model DIR/,
      ],
      [
        'an unsupported architecture',
        () => {
          const d = copyFixture('gpt2-tiny');
          writeFileSync(
            path.join(d, 'config.json'),
            JSON.stringify({ architectures: ['T5ForConditionalGeneration'], model_type: 't5' }),
          );
          return d;
        },
        /unsupported architecture T5ForConditionalGeneration/,
      ],
    ];
    it.each(cases)('%s', async (_, make, message) => {
      const out = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
      const dir = make();
      const model = dir ? ['--model', dir] : ['--stage', 'pretrain', '--save-hf', path.join(tmp, 'nowhere')];
      const r = await cli([...model, '--steps', '0', '--data', EVAL_TXT, '--out', out]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[layerlab\] error: /);
      expect(lines[0]).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  });
});
