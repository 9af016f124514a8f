/** Byte-level tokenizer: a token is one UTF-8 byte, so the vocabulary is exactly 256 ids. */

export const VOCAB = 256;
/** End of a response (SFT). NUL never occurs in ordinary text; greedy decoding stops here. */
export const EOS = 0;
/** Filler for positions past the end of an example; its mask is always 0. */
export const PAD = 0;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function encodeBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function encode(text: string): number[] {
  return Array.from(encoder.encode(text));
}

/** Invalid UTF-8 (e.g. a cut multi-byte character) decodes to U+FFFD rather than throwing. */
export function decode(ids: ArrayLike<number>): string {
  const bytes = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= VOCAB) {
      throw new RangeError(`token id ${id} at position ${i} is outside the byte vocabulary 0..255`);
    }
    bytes[i] = id;
  }
  return decoder.decode(bytes);
}
