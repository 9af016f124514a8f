// tokenizer.json through @huggingface/tokenizers gives the ids of the fixture generator's own byte-level BPE.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, reference } from './fixtures';
import { loadHfTokenizer } from './tokenizer';

const NAMES = [
  'gpt2-tiny',
  'gpt2-tiny-f16-sharded',
  'llama-tiny-gqa',
  'qwen2-tiny-tied',
  'llama-tiny-gqa-bf16',
  'qwen2-tiny-chat',
];

describe('Hugging Face tokenizers', () => {
  it.each(NAMES)('%s: tokenizer.json encodes the reference text to the reference ids', async (name) => {
    const ref = reference(name);
    const tok = await loadHfTokenizer(path.join(FIXTURES, name));
    expect(tok.encode(ref.text.text)).toEqual(ref.text.ids);
    expect(tok.encode(ref.eval_text.text)).toEqual(ref.eval_text.ids);
    expect(tok.decode(ref.text.ids)).toBe(ref.text.text);
    const config = JSON.parse(readFileSync(path.join(FIXTURES, name, 'config.json'), 'utf8'));
    expect(tok.eos).toBe(config.vocab_size - 1);
  });
});
