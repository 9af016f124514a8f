// safetensors reading and writing, config.json parsing, and the one-line errors for broken model folders.
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHfConfig } from './config';
import { ModelError } from './errors';
import { FIXTURES } from './fixtures';
import { inspectHfFolder } from './load';
import { decode, readHeader, SafetensorsFolder, writeSafetensors } from './safetensors';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyFixture(name: string): string {
  const dir = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a ModelError');
}

describe('safetensors', () => {
  it('writes float32 files that read back bit-identical, with an 8-byte aligned header', () => {
    const file = path.join(tmp, 'a.safetensors');
    const a = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i) * 1e-3 * (i + 1)));
    const b = Float32Array.from([-0, 1e-45, 3.4e38, -7.25]);
    writeSafetensors(
      file,
      [
        { name: 'x.weight', shape: [3, 4], values: () => a },
        { name: 'y', shape: [4], values: () => b },
      ],
      { format: 'pt' },
    );
    const bytes = readFileSync(file);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + headerLen).toString()).__metadata__).toEqual({ format: 'pt' });
    const { tensors } = readHeader(file);
    expect(tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['x.weight', 'F32', [3, 4]],
      ['y', 'F32', [4]],
    ]);
    const back = (name: string) => {
      const t = tensors.find((x) => x.name === name)!;
      return decode(bytes.subarray(t.start, t.start + t.bytes), 'F32');
    };
    expect(Buffer.from(back('x.weight').buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Object.is(back('y')[0], -0)).toBe(true);
    expect([...back('y')]).toEqual([...b]);
  });

  it('decodes F16 (normal, subnormal, inf) and BF16 exactly', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555]).buffer);
    expect([...decode(f16, 'F16')]).toEqual([1, -2, 2 ** -24, Infinity, Math.fround(0.333251953125)]);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xbfc0, 0x4049]).buffer);
    expect([...decode(bf16, 'BF16')]).toEqual([1, -1.5, 3.140625]);
  });

  it('reads a sharded folder through its index, one tensor at a time', () => {
    const f = new SafetensorsFolder(path.join(FIXTURES, 'gpt2-tiny-f16-sharded'));
    expect(f.files.map((x) => path.basename(x))).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    expect(f.info('transformer.ln_f.weight').file).toMatch(/00002-of-00002/);
    const t = f.read('transformer.h.0.ln_1.weight');
    expect(t.shape).toEqual([16]);
    expect(t.values).toBeInstanceOf(Float32Array);
  });
});

describe('model folders: one-line errors naming the file and the tensor', () => {
  it('a folder without config.json', () => {
    const dir = copyFixture('gpt2-tiny');
    rmSync(path.join(dir, 'config.json'));
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(/no config\.json \(not a Hugging Face model folder\)$/);
  });

  it('a truncated safetensors file', () => {
    const dir = copyFixture('gpt2-tiny');
    const file = path.join(dir, 'model.safetensors');
    truncateSync(file, 9000);
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      /model\.safetensors: truncated safetensors file \(tensor .* ends past the end\)/,
    );
    truncateSync(file, 20);
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      /model\.safetensors: truncated safetensors file \(header of \d+ bytes, file of 20\)/,
    );
  });

  it('a tensor of the wrong shape', () => {
    const dir = copyFixture('llama-tiny-gqa');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, num_key_value_heads: 4 }));
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      new RegExp(
        String.raw`model\.safetensors: tensor model\.layers\.0\.self_attn\.k_proj\.weight has shape \[8,16\], ` +
          String.raw`config\.json implies \[16,16\]$`,
      ),
    );
  });

  it('a missing tensor, and an unexpected one', () => {
    const dir = copyFixture('llama-tiny-gqa');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 3 }));
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      /tensor model\.layers\.2\.input_layernorm\.weight is missing \(LlamaForCausalLM needs it\)$/,
    );
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 1 }));
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      /unexpected tensor model\.layers\.1\.\S+ for LlamaForCausalLM with this config\.json$/,
    );
  });

  it('an unsupported architecture', () => {
    const dir = copyFixture('gpt2-tiny');
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ architectures: ['BertForMaskedLM'], model_type: 'bert' }),
    );
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(
      new RegExp(
        String.raw`config\.json: unsupported architecture BertForMaskedLM \(supported: GPT2LMHeadModel, ` +
          String.raw`LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM\)$`,
      ),
    );
  });

  it('a folder with no weights, and a bad dtype', () => {
    const dir = copyFixture('gpt2-tiny');
    const bytes = readFileSync(path.join(dir, 'model.safetensors'));
    rmSync(path.join(dir, 'model.safetensors'));
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(/no model\.safetensors or model\.safetensors\.index\.json/);
    writeFileSync(
      path.join(dir, 'model.safetensors'),
      Buffer.from(bytes.toString('latin1').replace('"F32"', '"I64"'), 'latin1'),
    );
    expect(errorOf(() => inspectHfFolder(dir))).toMatch(/tensor \S+ has dtype I64; supported are F32, F16, BF16/);
  });
});

describe('config.json', () => {
  it('reads GPT-2 and Llama-family shapes with transformers defaults', () => {
    const g = parseHfConfig({
      model_type: 'gpt2',
      vocab_size: 50257,
      n_positions: 1024,
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
    });
    expect(g).toMatchObject({
      family: 'gpt2',
      architecture: 'GPT2LMHeadModel',
      ffn: 3072,
      tied: true,
      eps: 1e-5,
      kvHeads: 12,
    });
    const mistral = {
      architectures: ['MistralForCausalLM'],
      model_type: 'mistral',
      vocab_size: 32000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 32768,
      rope_theta: 1e6,
    };
    expect(parseHfConfig(mistral)).toMatchObject({
      family: 'llama',
      kvHeads: 8,
      headDim: 128,
      tied: false,
      ropeTheta: 1e6,
      qkvBias: false,
    });
    const qwen = parseHfConfig({
      ...mistral,
      model_type: 'qwen2',
      architectures: ['Qwen2ForCausalLM'],
      tie_word_embeddings: true,
    });
    expect(qwen).toMatchObject({ qkvBias: true, oBias: false, tied: true });
    expect(() => parseHfConfig({ ...mistral, rope_scaling: { type: 'yarn', factor: 4 } })).toThrow(
      /rope_scaling .* is not supported/,
    );
    expect(() => parseHfConfig({ ...mistral, architectures: ['LlamaForCausalLM'] })).toThrow(
      /unsupported architecture LlamaForCausalLM/,
    );
  });
});
