/**
 * Training data through a model folder's tokenizer: the same datasets as with the byte tokenizer (text
 * windows with a held-out tail; Alpaca records with the Alpaca prompt template, loss on the response and
 * the EOS), the tokens being the model's ids.
 */
import { formatPrompt, type AlpacaRecord } from '../data/alpaca';
import type { Example } from '../data/batch';
import { DATA_EXTENSIONS, DataError, readDataFile } from '../data/files';
import { instructHeldOut, instructTrainRecord } from '../data/instruct';
import { pretrainCorpus } from '../data/pretrain';
import { fileRecordSource, recordDataset } from '../data/records';
import { textDataset } from '../data/text';
import type { Dataset, DatasetOptions } from '../data/types';
import type { HfTokenizer } from './tokenizer';

/** Prompt ids, then response ids and EOS; the loss (in fine-tuning) counts from the first response id. */
function hfExample(r: AlpacaRecord, tok: HfTokenizer): Example {
  if (tok.eos === null) {
    throw new DataError('the tokenizer has no eos_token: instruction data needs one to end responses');
  }
  const prompt = tok.encode(formatPrompt(r));
  const response = tok.encode(r.output);
  return { tokens: Int32Array.from([...prompt, ...response, tok.eos]), promptLen: prompt.length };
}

export function loadHfDataset(spec: string, opts: DatasetOptions, tok: HfTokenizer, vocab: number): Dataset {
  const example = (r: AlpacaRecord) => hfExample(r, tok);
  let ds: Dataset;
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
      const ids = Int32Array.from(tok.encode(new TextDecoder().decode(file.bytes)));
      ds = textDataset(`${file.name} (${ids.length} tokens)`, ids, opts, vocab);
    } else {
      ds = recordDataset(fileRecordSource(file.name, file.records, example), opts);
    }
  }
  return { ...ds, vocab };
}
