/** Supervised fine-tuning over instruction records: one example per row, loss on the response only. */
import { formatPrompt, HELD_OUT_FRACTION, toExample, type AlpacaRecord } from './alpaca';
import { canonicalForm } from './canonical';
import { exampleBatch, type Batch, type Example } from './batch';
import { DataError } from './files';
import { hashString, rngFor } from './counter-rng';
import { VOCAB } from './tokenizer';
import { recordEvalSet, type EvalSet } from './eval-set';
import { checkCount, type Dataset, type DatasetOptions } from './types';

export interface RecordSource {
  name: string;
  /** Held-out records → examples (default: the byte tokenizer's). */
  example?: (r: AlpacaRecord) => Example;
  /** The training example for one row of one step; pure in its arguments. */
  trainExample(seed: number, step: number, row: number): Example;
  /** Up to `count` held-out records, in a fixed order (a prefix of any longer request). */
  heldOut(count: number): AlpacaRecord[];
  /** Records training draws from (undefined: generated without end). */
  trainRecords?: number;
}

/**
 * In the `pretrain` stage every real token counts (the model learns the template and the tasks as text);
 * in `finetune` only the response bytes and the EOS that ends them.
 */
export function recordDataset(src: RecordSource, opts: DatasetOptions): Dataset {
  const { seq, seed } = opts;
  const lossOnAll = opts.stage === 'pretrain';
  return {
    name: src.name,
    vocab: VOCAB,
    ...(src.trainRecords !== undefined ? { trainRecords: src.trainRecords } : {}),
    trainBatch(step: number, batch: number): Batch {
      checkCount('step', step, 0);
      checkCount('batch', batch, 1);
      const rows = Array.from({ length: batch }, (_, row) => src.trainExample(seed, step, row));
      return exampleBatch(rows, seq, lossOnAll);
    },
    evalSet(records: number): EvalSet {
      checkCount('records', records, 1);
      const recs = src.heldOut(records);
      const tasks = recs.map((r) => ({ prompt: formatPrompt(r), answer: r.output }));
      return recordEvalSet(recs.map(src.example ?? toExample), tasks, seq, lossOnAll);
    },
  };
}

/**
 * Which records of a file belong together: those with the same question (instruction and input) or the same
 * canonical form (canonical.ts), transitively. Each group gets the hash of its smallest canonical form, so the
 * split depends neither on the seed nor on the order of the file.
 */
function groupHashes(records: readonly AlpacaRecord[]): number[] {
  const parent = records.map((_, i) => i);
  const root = (i: number): number => {
    if (parent[i] !== i) parent[i] = root(parent[i]);
    return parent[i];
  };
  const forms = records.map(canonicalForm);
  const first = new Map<string, number>();
  records.forEach((r, i) => {
    for (const key of [`q\u0000${r.instruction}\u0000${r.input ?? ''}`, `c\u0000${forms[i]}`]) {
      const j = first.get(key);
      if (j === undefined) first.set(key, i);
      else parent[root(i)] = root(j);
    }
  });
  const smallest = new Map<number, string>();
  forms.forEach((f, i) => {
    const s = smallest.get(root(i));
    if (s === undefined || f < s) smallest.set(root(i), f);
  });
  return records.map((_, i) => hashString(smallest.get(root(i))!));
}

/**
 * Split user records into training and held-out groups (about 10% of the groups held out, see groupHashes).
 * Small files still get at least one group on each side; a file that is one group cannot be split. Chat records
 * split by their instruction view (`asInstruction`, chat.ts chatAsInstruction).
 */
export function splitRecords<R = AlpacaRecord>(
  name: string,
  records: readonly R[],
  asInstruction: (r: R) => AlpacaRecord = (r) => r as AlpacaRecord,
): { train: R[]; heldOut: R[] } {
  const hashes = groupHashes(records.map(asInstruction));
  const distinct = [...new Set(hashes)].sort((a, b) => a - b);
  if (distinct.length < 2) {
    throw new DataError(
      `${name}: need at least two records with different instructions/inputs to hold one out for evaluation ` +
        '(mirrored or reordered questions count as the same)',
    );
  }
  let held = hashes.map((h) => h < HELD_OUT_FRACTION * 2 ** 32);
  if (!held.some(Boolean)) held = hashes.map((h) => h === distinct[0]);
  else if (held.every(Boolean)) held = hashes.map((h) => h !== distinct[distinct.length - 1]);
  return { train: records.filter((_, i) => !held[i]), heldOut: records.filter((_, i) => held[i]) };
}

export function fileRecordSource(
  name: string,
  records: readonly AlpacaRecord[],
  example: (r: AlpacaRecord) => Example = toExample,
): RecordSource {
  const { train, heldOut } = splitRecords(name, records);
  const examples = train.map(example);
  return {
    name,
    example,
    trainExample: (seed, step, row) => examples[rngFor(seed, step, row).int(examples.length)],
    heldOut: (count) => heldOut.slice(0, count),
    trainRecords: train.length,
  };
}
