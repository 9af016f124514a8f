// The held-out split is by canonical form: mirrored, commuted and reversed items never straddle it.
import { describe, expect, it } from 'vitest';
import type { AlpacaRecord } from './alpaca';
import { canonicalForm } from './canonical';
import { instructHeldOut, instructTrainRecord } from './instruct';
import { splitRecords } from './records';

describe('canonicalForm', () => {
  it('puts mirrored, commuted, reversed and permuted items together, and nothing else', () => {
    const same = (a: AlpacaRecord, b: AlpacaRecord) => expect(canonicalForm(a)).toBe(canonicalForm(b));
    same({ instruction: 'Opposite of big?', output: 'small' }, { instruction: 'Opposite of small?', output: 'big' });
    same({ instruction: 'What is 52 + 21?', output: '73' }, { instruction: 'What is 21 + 52?', output: '73' });
    same(
      { instruction: 'Reverse the word.', input: 'stone', output: 'enots' },
      { instruction: 'Reverse the word.', input: 'enots', output: 'stone' },
    );
    same(
      { instruction: 'Sort the letters.', input: 'cab', output: 'abc' },
      { instruction: 'Sort the letters.', input: 'bca', output: 'abc' },
    );
    same(
      { instruction: 'Capital of France?', output: 'Paris' },
      { instruction: 'capital of  france', output: 'Paris.' },
    );
    const differ = (a: AlpacaRecord, b: AlpacaRecord) => expect(canonicalForm(a)).not.toBe(canonicalForm(b));
    differ({ instruction: 'What is 52 + 21?', output: '73' }, { instruction: 'What is 50 + 23?', output: '73' });
    differ({ instruction: 'Opposite of big?', output: 'small' }, { instruction: 'Opposite of hot?', output: 'cold' });
  });
});

describe('the instruct preset', () => {
  it('never trains on the canonical form of an evaluation item', () => {
    const held = new Set(instructHeldOut(256).map(canonicalForm));
    expect(held.size).toBeGreaterThan(200);
    const leaks: string[] = [];
    for (const seed of [1, 2, 3]) {
      for (let step = 0; step < 500; step++) {
        for (let row = 0; row < 16; row++) {
          const rec = instructTrainRecord(seed, step, row);
          if (held.has(canonicalForm(rec))) leaks.push(`${rec.instruction} ${rec.input ?? ''} -> ${rec.output}`);
        }
      }
    }
    expect(leaks.slice(0, 5)).toEqual([]);
  });
});

describe('user records', () => {
  const antonyms = [
    ['big', 'small'],
    ['hot', 'cold'],
    ['up', 'down'],
    ['day', 'night'],
    ['open', 'closed'],
    ['wet', 'dry'],
    ['fast', 'slow'],
    ['early', 'late'],
    ['full', 'empty'],
    ['light', 'dark'],
    ['old', 'new'],
    ['hard', 'soft'],
  ];
  const records: AlpacaRecord[] = [];
  for (const [a, b] of antonyms)
    records.push({ instruction: `Opposite of ${a}?`, output: b }, { instruction: `Opposite of ${b}?`, output: a });
  for (let a = 10; a < 60; a += 7)
    for (const b of [13, 31, 47]) {
      records.push(
        { instruction: `What is ${a} + ${b}?`, output: String(a + b) },
        { instruction: `What is ${b} + ${a}?`, output: String(a + b) },
      );
    }

  it('keeps mirrored and commuted records on one side of the split', () => {
    const { train, heldOut } = splitRecords('mirrored.jsonl', records);
    expect(heldOut.length).toBeGreaterThan(0);
    const trained = new Set(train.map(canonicalForm));
    const leaks = heldOut.filter((r) => trained.has(canonicalForm(r))).map((r) => r.instruction);
    expect(leaks).toEqual([]);
  });

  it('splits a file the same way whatever the order of its records', () => {
    const a = splitRecords('a', records).heldOut.map(canonicalForm).sort();
    const b = splitRecords('b', [...records].reverse())
      .heldOut.map(canonicalForm)
      .sort();
    expect(a).toEqual(b);
  });
});

describe('user records that share a question', () => {
  it('keeps two answers to one question together', () => {
    const recs: AlpacaRecord[] = [];
    for (let i = 0; i < 60; i++) {
      recs.push({ instruction: `Write a line about topic ${i}.`, output: `First answer ${i}` });
      recs.push({ instruction: `Write a line about topic ${i}.`, output: `Another, longer answer ${i}` });
    }
    const { train, heldOut } = splitRecords('two-answers.jsonl', recs);
    expect(heldOut.length).toBeGreaterThan(0);
    const trained = new Set(train.map((r) => r.instruction));
    expect(heldOut.filter((r) => trained.has(r.instruction))).toEqual([]);
  });
});
