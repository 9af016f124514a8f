// Chat records through a model's chat template: the text equals what Python's jinja2 renders from the same
// template (scripts/hf-fixtures.py, chat.json), the ids equal the generator's, and the loss mask covers exactly
// the assistant tokens the generator found by walking the ids (after <|im_start|>assistant\n, through <|im_end|>).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBatch } from '../data/batch';
import { toChatRecord } from '../data/chat';
import { DataError } from '../data/files';
import { chatExample, chatTemplate, renderChat, type ChatTemplate } from './chat';
import { loadHfDataset } from './data';
import { FIXTURES } from './fixtures';
import { loadHfTokenizer, type HfTokenizer } from './tokenizer';

const CHAT = path.join(FIXTURES, 'qwen2-tiny-chat');
const CHAT_JSONL = path.join(CHAT, 'chat.jsonl');
const refs: { record: unknown; text: string; ids: number[]; targets: number[] }[] = JSON.parse(
  readFileSync(path.join(CHAT, 'chat.json'), 'utf8'),
);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-chat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const opts = { seq: 128, seed: 1, stage: 'finetune' } as const;
const fail = (m: string) => new DataError(m);

let tok: HfTokenizer;
let template: ChatTemplate;
beforeAll(async () => {
  tok = await loadHfTokenizer(CHAT);
  template = chatTemplate(tok.chatTemplate!, 'tokenizer_config.json', tok.specialTokens);
});

function file(name: string, lines: unknown[]): string {
  const p = path.join(tmp, name);
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n'));
  return p;
}

describe('chat templates', () => {
  it.each(refs.map((r, i) => [i, r] as const))(
    'record %i renders and tokenizes as jinja2 + the generator',
    (i, ref) => {
      const rendered = renderChat(toChatRecord(ref.record, `record ${i}`, fail), template, `record ${i}`);
      expect(rendered.text).toBe(ref.text);
      const ex = chatExample(rendered, tok);
      expect([...ex.tokens]).toEqual(ref.ids);
      expect([...ex.targets!]).toEqual(ref.targets);
      expect(ex.promptLen).toBe(ref.targets.indexOf(1));
    },
  );

  it('the batch mask is 1 exactly where the target is an assistant token (every turn of a multi-turn chat)', () => {
    const examples = refs.map((ref, i) =>
      chatExample(renderChat(toChatRecord(ref.record, `${i}`, fail), template, `${i}`), tok),
    );
    const b = exampleBatch(examples, 128, false);
    refs.forEach((ref, r) => {
      for (let t = 0; t < 128; t++) {
        const i = r * 128 + t;
        expect(b.mask[i]).toBe(t + 1 < ref.ids.length ? ref.targets[t + 1] : 0);
        if (t + 1 < ref.ids.length) expect(b.y[i]).toBe(ref.ids[t + 1]);
      }
    });
    // Two assistant turns in record 1, with a user turn between them that does not count.
    const spans = refs[1].targets.join('').match(/1+/g)!;
    expect(spans).toHaveLength(2);
  });

  it('a chat file is a dataset whose masked targets are assistant tokens only', () => {
    const ds = loadHfDataset(CHAT_JSONL, opts, tok, 269);
    const rows = [ds.trainBatch(0, 4), ...ds.evalSet(8).batches(4)];
    let checked = 0;
    for (const b of rows) {
      for (let r = 0; r < b.batch; r++) {
        const x = [...b.x.subarray(r * b.seq, (r + 1) * b.seq)];
        const ref = refs.find((c) => x.slice(0, c.ids.length - 1).join(',') === c.ids.slice(0, -1).join(','));
        expect(ref).toBeDefined();
        const mask = [...b.mask.subarray(r * b.seq, r * b.seq + ref!.ids.length - 1)];
        expect(mask).toEqual(ref!.targets.slice(1));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4);
    expect(ds.evalSet(8).tasks).toEqual([]);
  });

  it('the pretrain stage counts every token of a chat', () => {
    const ds = loadHfDataset(CHAT_JSONL, { ...opts, stage: 'pretrain' }, tok, 269);
    const b = ds.trainBatch(0, 1);
    const n = b.x.findIndex((v, i) => i > 0 && v === 0 && b.mask[i] === 0);
    expect(b.mask.subarray(0, n > 0 ? n : b.seq).every((m) => m === 1)).toBe(true);
  });

  it('Alpaca records take the Alpaca template by default, the chat template with --template chat', () => {
    const recs = Array.from({ length: 12 }, (_, i) => ({ instruction: `say ${i}`, input: '', output: `the ${i}` }));
    const p = file('alpaca.jsonl', recs);
    const alpaca = loadHfDataset(p, opts, tok, 269).evalSet(1).batches(1)[0];
    expect(tok.decode([...alpaca.x.subarray(0, 40)])).toMatch(/^### Instruction:\nsay \d+\n\n### Response:\n/);
    const chat = loadHfDataset(p, opts, tok, 269, 'chat').evalSet(1).batches(1)[0];
    const text = tok.decode([...chat.x].filter((_, i) => i === 0 || chat.x[i] !== 0));
    expect(text).toMatch(/^<\|endoftext\|><\|im_start\|>system\nYou are a helpful assistant\.<\|im_end\|>\n/);
    const answer = [...chat.y].filter((_, i) => chat.mask[i] === 1);
    expect(tok.decode(answer)).toMatch(/^the \d+<\|im_end\|>$/);
  });

  it('a template file replaces the model folder’s', () => {
    const t = path.join(tmp, 'plain.jinja');
    writeFileSync(
      t,
      "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{{ eos_token }}{% endfor %}" +
        '{% if add_generation_prompt %}assistant: {% endif %}',
    );
    const ds = loadHfDataset(CHAT_JSONL, opts, tok, 269, t);
    const b = ds.evalSet(1).batches(1)[0];
    const answer = tok.decode([...b.y].filter((_, i) => b.mask[i] === 1));
    expect(answer).toBe('in the inner garden<|im_end|>it thinned.\n<|im_end|>');
  });
});

describe('chat template errors', () => {
  it('chat data on a model without chat_template names the file and what to do', async () => {
    const plain = await loadHfTokenizer(path.join(FIXTURES, 'qwen2-tiny-tied'));
    expect(() => loadHfDataset(CHAT_JSONL, opts, plain, 267)).toThrow(
      new RegExp(
        String.raw`^chat\.jsonl holds chat records \(messages\), but .*qwen2-tiny-tied/tokenizer_config\.json ` +
          'has no chat_template: give --template FILE',
      ),
    );
  });

  it('a record the template refuses is the jinja error with the record number', () => {
    const recs = [
      ...refs.map((r) => r.record),
      {
        messages: [
          { role: 'tool', content: 'x' },
          { role: 'assistant', content: 'y' },
        ],
      },
    ];
    expect(() => loadHfDataset(file('tool.jsonl', recs), opts, tok, 269)).toThrow(
      /tool\.jsonl: record 6: the chat template \(.*\) failed to render: unknown role: tool/,
    );
  });

  it('a template that does not render prefixes alike is refused, naming the record', () => {
    const t = path.join(tmp, 'last.jinja');
    // Marks the last message: a turn renders differently once another follows.
    writeFileSync(t, "{% for m in messages %}{{ m['content'] }}{% if loop.last %}!{% endif %}{% endfor %}");
    expect(() => loadHfDataset(CHAT_JSONL, opts, tok, 269, t)).toThrow(/chat\.jsonl: record \d+: .*cannot be located/);
  });

  it('--template alpaca with chat records, and a chat record in an Alpaca file, are one-line errors', () => {
    expect(() => loadHfDataset(CHAT_JSONL, opts, tok, 269, 'alpaca')).toThrow(/--template alpaca .*chat records/);
    const mixed = file('mixed.jsonl', [refs[0].record, { instruction: 'a', output: 'b' }]);
    expect(() => loadHfDataset(mixed, opts, tok, 269)).toThrow(
      /mixed\.jsonl: record 1 \(line 2\) is not a chat record/,
    );
    const noReply = file('noreply.jsonl', [{ messages: [{ role: 'user', content: 'hi' }] }]);
    expect(() => loadHfDataset(noReply, opts, tok, 269)).toThrow(/record 0 \(line 1\) has no assistant turn/);
  });
});
