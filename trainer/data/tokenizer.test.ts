import { describe, expect, it } from 'vitest';
import { decode, encode, EOS, VOCAB } from './index';

describe('byte-level tokenizer', () => {
  it('maps ASCII to its bytes and back', () => {
    expect(encode('Hi!\n')).toEqual([72, 105, 33, 10]);
    expect(decode([72, 105, 33, 10])).toBe('Hi!\n');
  });

  it('round-trips multi-byte UTF-8', () => {
    const text = 'naïve café — 東京 🙂';
    const ids = encode(text);
    expect(ids.length).toBe(new TextEncoder().encode(text).length);
    expect(ids.every((i) => i >= 0 && i < VOCAB)).toBe(true);
    expect(decode(ids)).toBe(text);
  });

  it('decodes a cut character to U+FFFD instead of throwing', () => {
    const ids = encode('é').slice(0, 1);
    expect(decode(ids)).toBe('\uFFFD');
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => decode([65, 256])).toThrow(/token id 256 at position 1/);
    expect(() => decode([-1])).toThrow(/outside the byte vocabulary/);
  });

  it('uses NUL, which ordinary text never contains, as the end marker', () => {
    expect(EOS).toBe(0);
    expect(encode('plain text')).not.toContain(EOS);
  });
});
