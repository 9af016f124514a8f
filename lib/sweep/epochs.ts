/**
 * `epochs` in a sweep: the planner turns it into steps with the trainer's own count of training records
 * (trainer/data: what a record is, docs/trainer.md "Epochs"), so the dry run, the stored run configs and the
 * runs' total steps all say the number of steps the runs will take.
 */
import { statSync } from 'node:fs';
import { epochSteps, type TrainConfig } from '@/lib/protocol/config';
import { trainingRecords } from '@/trainer/data/index';
import { AppError } from '../errors';

/** Counts by data, sequence length, stage and the file's size and time (a dry run is asked for often). */
const counted = new Map<string, number | undefined>();

function recordsOf(config: TrainConfig & { seq: number }): number | undefined {
  let stamp = '';
  try {
    const s = statSync(config.data);
    stamp = `${s.size}:${s.mtimeMs}`;
  } catch {
    // a preset name, or a file the trainer will report
  }
  const key = [config.data, config.seq, config.stage, stamp].join('\0');
  if (!counted.has(key)) {
    try {
      counted.set(key, trainingRecords(config.data, { seq: config.seq, seed: config.seed, stage: config.stage }));
    } catch (e) {
      throw new AppError('invalid_spec', `cannot count the training records of ${config.data}`, [
        { path: 'data', message: (e as Error).message },
      ]);
    }
  }
  return counted.get(key);
}

/** The config with its steps derived from `epochs` (unchanged without), and the record count used. */
export function withEpochSteps(config: TrainConfig & { seq: number }): { config: TrainConfig; records?: number } {
  if (config.epochs === undefined) return { config };
  const records = recordsOf(config);
  if (records === undefined) {
    throw new AppError('invalid_spec', 'epochs needs data of a known size', [
      { path: 'data', message: `${config.data} draws new records at every step without end: give steps` },
    ]);
  }
  return { config: { ...config, steps: epochSteps(config.epochs, records, config.batch, config.grad_accum) }, records };
}
