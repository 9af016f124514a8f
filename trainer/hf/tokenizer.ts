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
  /** tokenizer_config.json's special tokens by name (bos_token, eos_token, unk_token, pad_token), as text. */
  specialTokens: Record<string, string>;
  /** The folder's tokenizer_config.json (named in errors about its chat template). */
  configFile: string;
}

const SPECIAL_TOKENS = ['bos_token', 'eos_token', 'unk_token', 'pad_token'] as const;

/** A special token of tokenizer_config.json: a string, or an AddedToken object `{content, ...}`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const content = (v as { content?: unknown } | null | undefined)?.content;
  return typeof content === 'string' ? content : undefined;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** `chat_template`: a string, or a list of named templates (transformers takes the one named `default`). */
function defaultTemplate(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return null;
  const named = v.find((t) => (t as { name?: unknown } | null)?.name === 'default') as
    | { template?: unknown }
    | undefined;
  return typeof named?.template === 'string' ? named.template : null;
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
  const specialTokens: Record<string, string> = {};
  for (const name of SPECIAL_TOKENS) {
    const text = tokenText(cfg[name]);
    if (text !== undefined) specialTokens[name] = text;
  }
  const eosToken = specialTokens.eos_token;
  const fromVocab = eosToken ? tok.token_to_id(eosToken) : undefined;
  const eos = fromVocab ?? (typeof config.eos_token_id === 'number' ? config.eos_token_id : null);
  const template = defaultTemplate(cfg.chat_template);
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false }),
    eos,
    chatTemplate: template,
    specialTokens,
    configFile: cfgFile,
  };
}
