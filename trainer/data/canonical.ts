/**
 * The canonical form of an instruction record: what the held-out split hashes, so that items which ask the
 * same thing in another order land on the same side. Lower-cased words and numbers of the question and the
 * answer together, as a sorted bag; each word's letters sorted. Mirrored items ("opposite of big → small"
 * and "opposite of small → big"), commuted ones ("52 + 21" and "21 + 52"), reversals and letter
 * permutations ("cab → abc", "bca → abc") share a form. Punctuation and spacing do not count. Merging
 * unrelated anagrams is harmless: it only keeps them together.
 */
import type { AlpacaRecord } from './alpaca';
import { hashString } from './counter-rng';

const TOKEN = /[\p{L}\p{N}]+/gu;
const LETTER = /\p{L}/u;

export function canonicalForm(r: AlpacaRecord): string {
  const text = `${r.instruction} ${r.input ?? ''} ${r.output}`.toLowerCase();
  const tokens = (text.match(TOKEN) ?? []).map((t) => (LETTER.test(t) ? [...t].sort().join('') : t));
  return tokens.sort().join(' ');
}

export function canonicalHash(r: AlpacaRecord): number {
  return hashString(canonicalForm(r));
}
