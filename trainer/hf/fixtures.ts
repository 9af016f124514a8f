/** Test helpers: the committed fixture folders of scripts/hf-fixtures.py and their reference outputs. */
import { cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tensorSpecs } from './arch';
import { parseHfConfig } from './config';

export const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'hf');

export interface RefText {
  text: string;
  ids: number[];
  loss: number;
  logits: number[][];
}

export function reference(name: string): { text: RefText; eval_text: RefText } {
  return JSON.parse(readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8'));
}

/** Llama-2-7B's config.json and a sparse model.safetensors with its real header (no weight bytes on disk). */
export function sparseLlama7b(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 11008,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 32,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-5,
    torch_dtype: 'float16',
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const s of tensorSpecs(parseHfConfig(config))) {
    const bytes = 2 * s.hfShape.reduce((a, b) => a * b, 1);
    header[s.name] = { dtype: 'F16', shape: s.hfShape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, 'model.safetensors');
  writeFileSync(file, Buffer.concat([len, json]));
  truncateSync(file, 8 + json.length + offset);
  cpSync(path.join(FIXTURES, 'llama-tiny-gqa', 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  return dir;
}
