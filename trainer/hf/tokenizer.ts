/**
 * A model folder's tokenizer: tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers.
 * Only the fast-tokenizer format is read; a folder with only a sentencepiece model is an error.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors';

export interface HfTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** End-of-sequence id (tokenizer_config eos_token, else config.json eos_token_id), if any. */
  eos: number | null;
  /** The tokenizer_config.json chat template, if any. */
  chatTemplate: string | null;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Loaded on first use, so that a checkout without the package still runs the presets. */
async function tokenizerClass(): Promise<typeof Tokenizer> {
  try {
    return (await import('@huggingface/tokenizers')).Tokenizer;
  } catch {
    throw new ModelError('@huggingface/tokenizers is not installed: run npm install (package-lock.json lists it)');
  }
}

export async function loadHfTokenizer(dir: string, config: Record<string, unknown> = {}): Promise<HfTokenizer> {
  const Tokenizer = await tokenizerClass();
  const file = path.join(dir, 'tokenizer.json');
  if (!existsSync(file)) throw new ModelError(`${dir}: no tokenizer.json (only fast tokenizers are supported)`);
  const json = readJson(file);
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const cfg = existsSync(cfgFile) ? readJson(cfgFile) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as never, cfg as never);
  } catch (e) {
    throw new ModelError(`${file}: cannot build the tokenizer (${(e as Error).message})`);
  }
  const eosToken =
    typeof cfg.eos_token === 'string' ? cfg.eos_token : (cfg.eos_token as { content?: string } | undefined)?.content;
  const fromVocab = eosToken ? tok.token_to_id(eosToken) : undefined;
  const eos = fromVocab ?? (typeof config.eos_token_id === 'number' ? config.eos_token_id : null);
  const template = typeof cfg.chat_template === 'string' ? cfg.chat_template : null;
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false }),
    eos,
    chatTemplate: template,
  };
}
