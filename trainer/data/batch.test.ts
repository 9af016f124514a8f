import { describe, expect, it } from 'vitest';
import { toExample, formatPrompt } from './alpaca';
import { exampleBatch, windowBatch, windowStart } from './batch';
import { decode, encode, EOS } from './tokenizer';

const rec = { instruction: 'Reverse the word.', input: 'cat', output: 'tac' };

/** Targets where the mask is 1, decoded. */
function maskedTargets(y: Int32Array, mask: Float32Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (mask[i] === 1) out.push(y[i]);
  return out;
}

describe('Alpaca template', () => {
  it('formats records with and without input', () => {
    expect(formatPrompt(rec)).toBe('### Instruction:\nReverse the word.\n\n### Input:\ncat\n\n### Response:\n');
    expect(formatPrompt({ instruction: 'Say hi.', output: 'hi' })).toBe('### Instruction:\nSay hi.\n\n### Response:\n');
  });
});

describe('windowBatch', () => {
  it('shifts targets by one and counts every position', () => {
    const text = new Uint8Array(encode('abcdefghij'));
    const b = windowBatch(text, [0, 5], 4);
    expect(decode(Array.from(b.x))).toBe('abcdfghi');
    expect(decode(Array.from(b.y))).toBe('bcdeghij');
    expect(Array.from(b.mask)).toEqual(new Array(8).fill(1));
    expect(() => windowBatch(text, [6], 4)).toThrow(RangeError);
  });
});

describe('exampleBatch', () => {
  it('masks exactly the response bytes and the EOS, and pads with mask 0', () => {
    const ex = toExample(rec);
    const seq = 80;
    const b = exampleBatch([ex, ex], seq, false);
    expect(b.batch).toBe(2);
    expect(b.x.length).toBe(2 * seq);
    for (const row of [0, 1]) {
      expect(maskedTargets(b.y, b.mask, row * seq, (row + 1) * seq)).toEqual([...encode('tac'), EOS]);
    }
    const real = ex.tokens.length - 1;
    expect(Array.from(b.mask.slice(real, seq)).every((m) => m === 0)).toBe(true);
    expect(decode(Array.from(b.x.slice(0, real)))).toBe(`${formatPrompt(rec)}tac`);
  });

  it('counts every real token in the pretrain stage', () => {
    const ex = toExample(rec);
    const b = exampleBatch([ex], 80, true);
    const ones = Array.from(b.mask).filter((m) => m === 1).length;
    expect(ones).toBe(ex.tokens.length - 1);
  });

  it('truncates long prompts from the left so the response still counts', () => {
    const ex = toExample(rec);
    const seq = 16;
    expect(windowStart(ex, seq)).toBe(ex.tokens.length - 1 - seq);
    const b = exampleBatch([ex], seq, false);
    expect(maskedTargets(b.y, b.mask, 0, seq)).toEqual([...encode('tac'), EOS]);
    expect(decode(Array.from(b.x))).toBe(`${formatPrompt(rec)}tac`.slice(-seq));
  });

  it('cuts a response longer than the window at its end', () => {
    const long = { instruction: 'Count.', output: 'abcdefghijklmnopqrstuvwxyz' };
    const ex = toExample(long);
    const seq = 8;
    expect(windowStart(ex, seq)).toBe(ex.promptLen - 1);
    const b = exampleBatch([ex], seq, false);
    expect(decode(maskedTargets(b.y, b.mask, 0, seq))).toBe('abcdefgh');
  });
});
