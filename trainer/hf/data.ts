/**
 * Training data through a model folder's tokenizer: the same datasets as with the byte tokenizer (text
 * windows with a held-out tail; Alpaca records with the Alpaca prompt template, loss on the response and
 * the EOS), the tokens being the model's ids; and chat records through the model's chat template (chat.ts).
 * `template` (--template) chooses: `alpaca`, `chat` (the model's chat_template) or a Jinja template file;
 * absent, Alpaca records take the Alpaca template and chat records the model's chat template.
 */
import { readFileSync } from 'node:fs';
import { formatPrompt, type AlpacaRecord } from '../data/alpaca';
import { instructionAsChat } from '../data/chat';
import type { Example } from '../data/batch';
import { DATA_EXTENSIONS, DataError, readDataFile } from '../data/files';
import { instructHeldOut, instructTrainRecord } from '../data/instruct';
import { pretrainCorpus } from '../data/pretrain';
import { fileRecordSource, recordDataset } from '../data/records';
import { textDataset } from '../data/text';
import type { Dataset, DatasetOptions } from '../data/types';
import { chatDataset, chatTemplate, type ChatTemplate } from './chat';
import type { HfTokenizer } from './tokenizer';

/** Names --template takes besides a file. */
export const TEMPLATE_NAMES = ['alpaca', 'chat'] as const;

/** The chat template to use: the --template file's, else tokenizer_config.json's; `why` says what needs it. */
function resolveChatTemplate(template: string | undefined, tok: HfTokenizer, why: string): ChatTemplate {
  if (template !== undefined && template !== 'chat') {
    let text: string;
    try {
      text = readFileSync(template, 'utf8');
    } catch (e) {
      throw new DataError(`--template ${template}: cannot read the template file (${(e as Error).message})`);
    }
    return chatTemplate(text, template, tok.specialTokens);
  }
  if (tok.chatTemplate === null) {
    throw new DataError(
      `${why}, but ${tok.configFile} has no chat_template: give --template FILE (a Jinja chat template), ` +
        'or --template alpaca for instruction records',
    );
  }
  return chatTemplate(tok.chatTemplate, `${tok.configFile} chat_template`, tok.specialTokens);
}

/** Prompt ids, then response ids and EOS; the loss (in fine-tuning) counts from the first response id. */
function hfExample(r: AlpacaRecord, tok: HfTokenizer): Example {
  if (tok.eos === null) {
    throw new DataError('the tokenizer has no eos_token: instruction data needs one to end responses');
  }
  const prompt = tok.encode(formatPrompt(r));
  const response = tok.encode(r.output);
  return { tokens: Int32Array.from([...prompt, ...response, tok.eos]), promptLen: prompt.length };
}

export function loadHfDataset(
  spec: string,
  opts: DatasetOptions,
  tok: HfTokenizer,
  vocab: number,
  template?: string,
): Dataset {
  const example = (r: AlpacaRecord) => hfExample(r, tok);
  const recordsOnly = (what: string) =>
    new DataError(`--template ${template} formats .json / .jsonl records, but the data is ${what}`);
  let ds: Dataset;
  if (template !== undefined && spec === 'pretrain') throw recordsOnly('the pretrain text');
  if (template !== undefined && template !== 'alpaca' && spec === 'instruct') {
    throw new DataError(
      `--template ${template}: the instruct preset uses the Alpaca template; give a .json / .jsonl file for chat`,
    );
  }
  if (spec === 'pretrain') {
    ds = textDataset('pretrain', Int32Array.from(tok.encode(pretrainCorpus(20240326, 1 << 17))), opts, vocab);
  } else if (spec === 'instruct') {
    const src = { name: 'instruct', example, heldOut: instructHeldOut };
    const trainExample = (seed: number, step: number, row: number) => example(instructTrainRecord(seed, step, row));
    ds = recordDataset({ ...src, trainExample }, opts);
  } else {
    const ext = spec.slice(spec.lastIndexOf('.')).toLowerCase();
    if (!(DATA_EXTENSIONS as readonly string[]).includes(ext)) {
      throw new DataError(`unknown data '${spec}': give pretrain, instruct, or a ${DATA_EXTENSIONS.join(', ')} file`);
    }
    const file = readDataFile(spec);
    if (file.kind === 'text') {
      if (template !== undefined) throw recordsOnly(`plain text (${file.name})`);
      const ids = Int32Array.from(tok.encode(new TextDecoder().decode(file.bytes)));
      ds = textDataset(`${file.name} (${ids.length} tokens)`, ids, opts, vocab);
    } else if (file.kind === 'chat') {
      if (template === 'alpaca') {
        throw new DataError(`--template alpaca formats instruction records, but ${file.name} holds chat records`);
      }
      const t = resolveChatTemplate(template, tok, `${file.name} holds chat records (messages)`);
      return chatDataset(file.name, file.records, t, tok, opts, vocab);
    } else if (template !== undefined && template !== 'alpaca') {
      const t = resolveChatTemplate(template, tok, '--template chat');
      return chatDataset(file.name, file.records.map(instructionAsChat), t, tok, opts, vocab);
    } else {
      ds = recordDataset(fileRecordSource(file.name, file.records, example), opts);
    }
  }
  return { ...ds, vocab };
}
