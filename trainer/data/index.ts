/**
 * Training data for the trainer: byte-level tokens, built-in generated presets, and user files.
 * `loadDataset('pretrain' | 'instruct' | PATH, { seq, seed, stage })` is the entry point for byte-level runs;
 * a Hugging Face model's data (its own tokenizer) is built from the same pieces by ../hf/data.ts.
 */
import { toExample } from './alpaca';
import { DataError, DATA_EXTENSIONS, readDataFile } from './files';
import { instructHeldOut, instructTrainRecord } from './instruct';
import { pretrainCorpus } from './pretrain';
import { fileRecordSource, recordDataset } from './records';
import { encodeBytes } from './tokenizer';
import { textDataset } from './text';
import type { Dataset, DatasetOptions } from './types';

export type { Batch, Dataset, DatasetOptions, EvalSet, EvalTask, Stage } from './types';
export { EVAL_RECORDS } from './eval-set';
export type { AlpacaRecord } from './alpaca';
export { formatPrompt } from './alpaca';
export { DataError } from './files';
export { decode, encode, EOS, PAD, VOCAB } from './tokenizer';

export const DATA_PRESETS = ['pretrain', 'instruct'] as const;
export type DataPreset = (typeof DATA_PRESETS)[number];

/** The pretrain corpus is fixed (not the run seed) so every run is evaluated on the same held-out text. */
const CORPUS_SEED = 20240326;
const CORPUS_BYTES = 1 << 19;
let corpus: Uint8Array | undefined;

function loadPreset(preset: DataPreset, opts: DatasetOptions): Dataset {
  if (preset === 'pretrain') {
    corpus ??= encodeBytes(pretrainCorpus(CORPUS_SEED, CORPUS_BYTES));
    return textDataset('pretrain', corpus, opts);
  }
  return recordDataset(
    {
      name: 'instruct',
      trainExample: (seed, step, row) => toExample(instructTrainRecord(seed, step, row)),
      heldOut: instructHeldOut,
    },
    opts,
  );
}

function checkOptions(opts: DatasetOptions): void {
  if (!Number.isInteger(opts.seq) || opts.seq < 1)
    throw new DataError(`seq must be a positive integer, got ${opts.seq}`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0)
    throw new DataError(`seed must be a non-negative integer, got ${opts.seed}`);
  if (opts.stage !== 'pretrain' && opts.stage !== 'finetune') {
    throw new DataError(`stage must be 'pretrain' or 'finetune', got '${String(opts.stage)}'`);
  }
}

/** Training records of the data `spec` (see Dataset.trainRecords); undefined for the endless `instruct` preset. */
export function trainingRecords(spec: string, opts: DatasetOptions): number | undefined {
  return loadDataset(spec, opts).trainRecords;
}

/** A built-in preset name, or a path to a .txt (plain LM) or .json / .jsonl (Alpaca records) file. */
export function loadDataset(spec: string, opts: DatasetOptions): Dataset {
  checkOptions(opts);
  if ((DATA_PRESETS as readonly string[]).includes(spec)) return loadPreset(spec as DataPreset, opts);
  const ext = spec.slice(spec.lastIndexOf('.')).toLowerCase();
  if (!(DATA_EXTENSIONS as readonly string[]).includes(ext) || spec.lastIndexOf('.') < 0) {
    throw new DataError(
      `unknown data preset '${spec}': valid presets are ${DATA_PRESETS.join(', ')}; ` +
        `or give a path to a ${DATA_EXTENSIONS.join(', ')} file`,
    );
  }
  const file = readDataFile(spec);
  if (file.kind === 'text') return textDataset(file.name, file.bytes, opts);
  if (file.kind === 'chat') {
    throw new DataError(
      `${file.name} holds chat records (messages): they are rendered by a model's chat template, ` +
        'so they need --model DIR (a Hugging Face folder whose tokenizer_config.json has chat_template)',
    );
  }
  return recordDataset(fileRecordSource(file.name, file.records), opts);
}
