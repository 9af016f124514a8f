/** Alpaca-style instruction records: the prompt template, encoding, and the held-out split. */
import type { Example } from './batch';
import { canonicalHash } from './canonical';
import { EOS, encodeBytes } from './tokenizer';

export interface AlpacaRecord {
  instruction: string;
  input?: string;
  output: string;
}

/** Share of records (by the hash of their canonical form) kept out of training for evaluation. */
export const HELD_OUT_FRACTION = 0.1;

/** The prompt the model sees; the response follows it directly. Records without input omit that section. */
export function formatPrompt(r: AlpacaRecord): string {
  const input = r.input ? `### Input:\n${r.input}\n\n` : '';
  return `### Instruction:\n${r.instruction}\n\n${input}### Response:\n`;
}

/** Prompt bytes, then response bytes and EOS; the loss (in fine-tuning) counts from the first response byte. */
export function toExample(r: AlpacaRecord): Example {
  const prompt = encodeBytes(formatPrompt(r));
  const response = encodeBytes(r.output);
  const tokens = new Uint8Array(prompt.length + response.length + 1);
  tokens.set(prompt, 0);
  tokens.set(response, prompt.length);
  tokens[tokens.length - 1] = EOS;
  return { tokens, promptLen: prompt.length };
}

/**
 * Held out by the hash of the canonical form (canonical.ts), never by the run seed: a question, its mirror
 * and its commuted twin sit on the same side of the split.
 */
export function isHeldOut(r: AlpacaRecord): boolean {
  return canonicalHash(r) < HELD_OUT_FRACTION * 2 ** 32;
}
