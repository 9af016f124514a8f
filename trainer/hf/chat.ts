/**
 * Chat records through a model's chat template (tokenizer_config.json `chat_template`, or a template file given
 * with --template), rendered by @huggingface/jinja as transformers' apply_chat_template does: the messages, the
 * tokenizer's special tokens (bos_token, eos_token, ...) and add_generation_prompt false.
 *
 * The loss counts the assistant turns only. Each assistant turn i is found by rendering prefixes: the text of
 * messages[0..i) with add_generation_prompt true ends where the reply begins; the text of messages[0..i] ends
 * after the reply and its end-of-turn marker. Both must be prefixes of the whole conversation's text (a template
 * that renders earlier turns differently once later ones follow is refused: its turns cannot be located). The
 * span between them, trailing whitespace left out, is the assistant's: its text and the marker that ends it
 * (`<|im_end|>`, `</s>`, `<|eot_id|>`). The text is tokenized span by span, so every token is wholly inside or
 * outside a span.
 */
import { Template } from '@huggingface/jinja';
import type { Example } from '../data/batch';
import { exampleBatch, type Batch } from '../data/batch';
import { chatAsInstruction, type ChatMessage, type ChatRecord } from '../data/chat';
import { rngFor } from '../data/counter-rng';
import { recordEvalSet, type EvalSet } from '../data/eval-set';
import { DataError } from '../data/files';
import { splitRecords } from '../data/records';
import { checkCount, type Dataset, type DatasetOptions } from '../data/types';
import type { HfTokenizer } from './tokenizer';

export interface ChatTemplate {
  /** Where the template came from (tokenizer_config.json or the --template file), for errors. */
  source: string;
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
}

/** Parse a template once; `tokens` are the special tokens the template may name (bos_token, eos_token, ...). */
export function chatTemplate(text: string, source: string, tokens: Record<string, string>): ChatTemplate {
  let template: Template;
  try {
    template = new Template(text);
  } catch (e) {
    throw new DataError(`${source}: the chat template does not parse: ${(e as Error).message}`);
  }
  return {
    source,
    render: (messages, addGenerationPrompt) =>
      template.render({ ...tokens, messages, add_generation_prompt: addGenerationPrompt }),
  };
}

/** The rendered text and, per character range, whether it is an assistant span. */
export interface RenderedChat {
  text: string;
  /** [start, end) character ranges of the assistant turns, in order. */
  spans: [number, number][];
}

/** Render a record and locate its assistant turns (see the file comment); `where` names the record in errors. */
export function renderChat(r: ChatRecord, t: ChatTemplate, where: string): RenderedChat {
  const render = (messages: readonly ChatMessage[], generation: boolean) => {
    try {
      return t.render(messages, generation);
    } catch (e) {
      throw new DataError(`${where}: the chat template (${t.source}) failed to render: ${(e as Error).message}`);
    }
  };
  const text = render(r.messages, false);
  const spans: [number, number][] = [];
  r.messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const before = render(r.messages.slice(0, i), true);
    const through = render(r.messages.slice(0, i + 1), false);
    if (!through.startsWith(before) || !text.startsWith(through)) {
      throw new DataError(
        `${where}: the chat template (${t.source}) renders message ${i} differently once later turns follow, ` +
          'so the assistant turn cannot be located; give --template with a template that renders prefixes alike',
      );
    }
    const start = Math.max(before.length, spans.length ? spans[spans.length - 1][1] : 0);
    spans.push([start, Math.max(start, through.trimEnd().length)]);
  });
  return { text, spans };
}

/** Tokens of a rendered chat, span by span, with targets 1 on the assistant spans' tokens. */
export function chatExample(rendered: RenderedChat, tok: HfTokenizer): Example {
  const ids: number[] = [];
  const targets: number[] = [];
  const piece = (from: number, to: number, counts: number) => {
    if (to <= from) return;
    for (const id of tok.encode(rendered.text.slice(from, to))) {
      ids.push(id);
      targets.push(counts);
    }
  };
  let at = 0;
  for (const [start, end] of rendered.spans) {
    piece(at, start, 0);
    piece(start, end, 1);
    at = end;
  }
  piece(at, rendered.text.length, 0);
  const first = targets.indexOf(1);
  return { tokens: Int32Array.from(ids), promptLen: first < 0 ? ids.length : first, targets: Uint8Array.from(targets) };
}

/**
 * Chat records as a dataset: the held-out split of records.ts (by each record's instruction view), every record
 * rendered and tokenized up front (so a template error stops the run before training, naming the record), the
 * loss on the assistant turns (every token in the pretrain stage). No exact-match tasks: a chat has no single
 * answer to match.
 */
export function chatDataset(
  name: string,
  records: readonly ChatRecord[],
  t: ChatTemplate,
  tok: HfTokenizer,
  opts: DatasetOptions,
  vocab: number,
): Dataset {
  const { seq, seed } = opts;
  const lossOnAll = opts.stage === 'pretrain';
  const numbered = records.map((r, index) => ({ r, index }));
  const { train, heldOut } = splitRecords(name, numbered, (n) => chatAsInstruction(n.r));
  const example = (n: { r: ChatRecord; index: number }) =>
    chatExample(renderChat(n.r, t, `${name}: record ${n.index}`), tok);
  const trainExamples = train.map(example);
  const heldExamples = heldOut.map(example);
  return {
    name,
    vocab,
    trainRecords: train.length,
    trainBatch(step: number, batch: number): Batch {
      checkCount('step', step, 0);
      checkCount('batch', batch, 1);
      const rows = Array.from(
        { length: batch },
        (_, row) => trainExamples[rngFor(seed, step, row).int(trainExamples.length)],
      );
      return exampleBatch(rows, seq, lossOnAll);
    },
    evalSet(count: number): EvalSet {
      checkCount('records', count, 1);
      return recordEvalSet(heldExamples.slice(0, count), [], seq, lossOnAll);
    },
  };
}
