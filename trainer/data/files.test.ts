import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineOf } from './json-error';
import { DataError, decode, EOS, loadDataset, type Batch } from './index';

const dir = mkdtempSync(path.join(tmpdir(), 'layerlab-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const opts = { seq: 32, seed: 1, stage: 'finetune' } as const;
const records = Array.from({ length: 40 }, (_, i) => ({
  instruction: `Double ${i}.`,
  input: i % 2 ? `n=${i}` : '',
  output: String(2 * i),
}));

function responses(b: Batch): string[] {
  return Array.from({ length: b.batch }, (_, r) => {
    const ids: number[] = [];
    for (let t = 0; t < b.seq; t++) if (b.mask[r * b.seq + t] === 1) ids.push(b.y[r * b.seq + t]);
    expect(ids.pop()).toBe(EOS);
    return decode(ids);
  });
}

describe('user .txt data', () => {
  const text = Array.from({ length: 80 }, (_, i) => `Sentence ${1000 + i} ends here.`).join(' ');
  const p = file('corpus.txt', text);

  it('trains on random windows and evaluates on the held-out tail', () => {
    const ds = loadDataset(p, opts);
    expect(ds.name).toBe('corpus.txt');
    expect(ds.evalSet(5).tasks).toEqual([]);
    const split = text.length - Math.floor(text.length * 0.1);
    const row = (b: Batch, r: number) => decode(Array.from(b.x.slice(r * 32, (r + 1) * 32)));
    for (const ev of ds.evalSet(8).batches(4)) {
      for (let r = 0; r < 4; r++) expect(text.indexOf(row(ev, r))).toBeGreaterThanOrEqual(split);
    }
    for (let s = 0; s < 50; s++) {
      const b = ds.trainBatch(s, 8);
      expect(b.mask.every((m) => m === 1)).toBe(true);
      for (let r = 0; r < 8; r++) expect(text.indexOf(row(b, r)) + 33).toBeLessThanOrEqual(split);
    }
  });

  it('needs enough text for a training window and a held-out one', () => {
    const small = file('small.txt', 'too short');
    expect(() => loadDataset(small, opts)).toThrow(
      /small.txt: 9 bytes is too little text for seq 32; need at least 66/,
    );
  });
});

describe('user Alpaca records', () => {
  const jsonl = file('data.jsonl', `${records.map((r) => JSON.stringify(r)).join('\n')}\n\n`);
  const json = file('data.json', JSON.stringify(records, null, 2));

  it('loads .jsonl and .json alike, with response-only loss', () => {
    const a = loadDataset(jsonl, { ...opts, seq: 64 });
    const b = loadDataset(json, { ...opts, seq: 64 });
    expect(a.trainBatch(2, 8).x).toEqual(b.trainBatch(2, 8).x);
    const answers = new Set(records.map((r) => r.output));
    for (const out of responses(a.trainBatch(2, 8))) expect(answers.has(out)).toBe(true);
  });

  it('holds records out of training and evaluates on them', () => {
    const ds = loadDataset(jsonl, { ...opts, seq: 64 });
    const set = ds.evalSet(100);
    const tasks = set.tasks;
    expect(set.records).toBe(tasks.length);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.length).toBeLessThan(records.length);
    const held = new Set(tasks.map((t) => t.answer));
    for (let s = 0; s < 100; s++) for (const out of responses(ds.trainBatch(s, 8))) expect(held.has(out)).toBe(false);
    expect(responses(set.batches(tasks.length)[0])).toEqual(tasks.map((t) => t.answer));
    expect(tasks[0].prompt).toMatch(/^### Instruction:\nDouble \d+\.\n\n(### Input:\nn=\d+\n\n)?### Response:\n$/);
  });

  it('splits even a two-record file', () => {
    const p = file('two.jsonl', '{"instruction":"a","output":"1"}\n{"instruction":"b","output":"2"}\n');
    const ds = loadDataset(p, opts);
    expect(ds.evalSet(10).tasks).toHaveLength(1);
    const held = ds.evalSet(1).tasks[0].answer;
    expect(responses(ds.trainBatch(0, 4)).every((o) => o !== held)).toBe(true);
  });
});

describe('clear errors', () => {
  const err = (spec: string) => {
    try {
      loadDataset(spec, opts);
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('names a missing file by its path', () => {
    expect(err(path.join(dir, 'nope.jsonl'))).toBe(`data file not found: ${path.join(dir, 'nope.jsonl')}`);
    mkdirSync(path.join(dir, 'folder.txt'));
    expect(err(path.join(dir, 'folder.txt'))).toMatch(/data path is not a file: .*folder.txt/);
  });

  it('lists the valid presets for an unknown one', () => {
    expect(err('alpaca')).toBe(
      "unknown data preset 'alpaca': valid presets are pretrain, instruct; or give a path to a .txt, .json, " +
        '.jsonl file',
    );
    expect(err('data.csv')).toMatch(/unknown data preset 'data.csv'/);
  });

  it('names the line of bad JSON', () => {
    expect(err(file('bad.jsonl', '{"instruction":"a","output":"b"}\n\n{"instruction": oops}\n'))).toMatch(
      /bad.jsonl: invalid JSON on line 3: /,
    );
    expect(err(file('bad.json', '[\n {"instruction":"a","output":"b"},\n {"instruction": tru}\n]'))).toMatch(
      /bad.json: invalid JSON on line 3: /,
    );
    expect(err(file('cut.json', '[\n {"instruction":"a",\n'))).toMatch(/cut.json: invalid JSON on line 3: /);
  });

  it('names the index of a record without instruction or output', () => {
    expect(err(file('noout.jsonl', '{"instruction":"a","output":"b"}\n{"instruction":"c"}\n'))).toMatch(
      /noout.jsonl: record 1 \(line 2\) has no string "output" field/,
    );
    expect(err(file('noinstr.json', '[{"instruction":"a","output":"b"},{"input":"x","output":"y"},{}]'))).toMatch(
      /noinstr.json: record 1 has no string "instruction" field/,
    );
    expect(err(file('notobj.json', '[{"instruction":"a","output":"b"}, 5]'))).toMatch(/record 1 is not an object/);
    expect(err(file('badinput.jsonl', '{"instruction":"a","input":3,"output":"b"}'))).toMatch(
      /record 0 \(line 1\): "input" must be a string/,
    );
  });

  it('rejects files that cannot make a dataset', () => {
    expect(err(file('empty.txt', ''))).toMatch(/data file is empty: .*empty.txt/);
    expect(err(file('obj.json', '{"instruction":"a","output":"b"}'))).toMatch(/obj.json: expected a JSON array/);
    expect(err(file('blank.jsonl', '\n\n'))).toMatch(/blank.jsonl holds no records/);
    expect(err(file('one.json', '[{"instruction":"a","output":"b"},{"instruction":"a","output":"c"}]'))).toMatch(
      /one.json: need at least two records with different instructions/,
    );
  });

  it("chat records (messages or ShareGPT conversations) need a model folder's chat template", () => {
    const chat = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}';
    expect(err(file('chat.jsonl', chat))).toMatch(/^chat\.jsonl holds chat records \(messages\): .* need --model DIR/);
    const shareGpt = '[{"conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"hello"}]}]';
    expect(err(file('sharegpt.json', shareGpt))).toMatch(/^sharegpt\.json holds chat records/);
    expect(err(file('badchat.jsonl', '{"messages":[{"role":"user"}]}'))).toMatch(
      /badchat\.jsonl: record 0 \(line 1\), messages\[0\] needs string "role" and "content" fields/,
    );
  });

  it('rejects bad options', () => {
    expect(() => loadDataset('pretrain', { ...opts, seq: 0 })).toThrow(/seq must be a positive integer/);
    expect(() => loadDataset('pretrain', { ...opts, seed: -1 })).toThrow(/seed must be a non-negative integer/);
  });
});

describe('jsonErrorOffset', () => {
  it('finds the first syntax error', () => {
    expect(jsonErrorOffset('[1, {"a": [true, null, -2.5e3, "x\\n"]}]')).toBe(-1);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset('["\\q"]')).toBe(3);
    expect(lineOf('a\nb\nc', 4)).toBe(3);
  });
});
