import { describe, expect, it } from 'vitest';
import { encodeEvent, parseEvent, type RunEvent } from './index';
import { fromJson, toJson } from './json';

const envelope = { v: 1 as const, seq: 3, time: '2026-01-01T00:00:00.000Z' };

describe('the NaN-keeping JSON codec', () => {
  it('writes non-finite numbers as their names, at any depth, and reads them back as numbers', () => {
    const value = { a: Number.NaN, b: [1, Number.POSITIVE_INFINITY, { c: Number.NEGATIVE_INFINITY }], d: 'x', e: null };
    const text = toJson(value);
    expect(text).toBe('{"a":"NaN","b":[1,"Infinity",{"c":"-Infinity"}],"d":"x","e":null}');
    const back = fromJson<typeof value>(text);
    expect(back.a).toBeNaN();
    expect(back.b).toEqual([1, Number.POSITIVE_INFINITY, { c: Number.NEGATIVE_INFINITY }]);
    expect(back).toMatchObject({ d: 'x', e: null });
  });

  it('indents when asked, like JSON.stringify', () => {
    expect(toJson({ a: 1 }, 2)).toBe(JSON.stringify({ a: 1 }, null, 2));
  });

  it('is the encoding of event lines: an event line is toJson of the event, and parseEvent reads it', () => {
    const event: RunEvent = {
      ...envelope,
      type: 'metrics',
      step: 7,
      values: { 'train/loss': Number.NaN, grad_norm: Number.POSITIVE_INFINITY, lr: Number.NEGATIVE_INFINITY },
    };
    const line = encodeEvent(event);
    expect(line).toBe(toJson(event));
    expect(line).toContain('"train/loss":"NaN"');
    const parsed = parseEvent(line);
    expect(parsed).toEqual(event);
    expect(fromJson(line)).toEqual(event);
  });

  it('reads a text without non-finite names exactly as JSON.parse does, and an escaped name still as a number', () => {
    const text = toJson({ runs: [{ id: 'r-1', buckets: [{ min: 0.5, max: 2, label: 'NaN-free', n: null }] }] });
    expect(fromJson(text)).toEqual(JSON.parse(text));
    // "\u004eaN" is the string NaN spelled with an escape: still read as the number.
    expect(fromJson<{ a: number }>('{"a":"\\u004eaN"}').a).toBeNaN();
    expect(fromJson<{ a: string }>('{"a":"NaN is a word"}').a).toBe('NaN is a word');
  });
});
