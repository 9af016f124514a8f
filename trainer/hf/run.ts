/** What a run needs from a model folder: the checked folder and its tokenizer (loaded before the run is built). */
import path from 'node:path';
import type { Dataset, DatasetOptions } from '../data/types';
import type { GPT, ModelShape } from '../model';
import type { RunState } from '../setup';
import { loadHfDataset } from './data';
import { saveHf } from './export';
import { inspectHfFolder, loadHfModel, type HfFolder } from './load';
import { HFModel } from './model';
import { loadHfTokenizer, type HfTokenizer } from './tokenizer';

export { HF_DEFAULT_SEQ } from './config';

export interface HfRun {
  folder: HfFolder;
  tokenizer: HfTokenizer;
}

export { inspectHfFolder, type HfFolder };

export async function openHfRun(folder: HfFolder): Promise<HfRun> {
  return { folder, tokenizer: await loadHfTokenizer(folder.dir, folder.raw) };
}

export function hfModelShape(folder: HfFolder): ModelShape {
  const s = folder.shape;
  return { vocab: s.vocab, d: s.d, layers: s.layers, heads: s.heads, ctx: s.ctx };
}

export function hfModel(run: HfRun): GPT {
  return loadHfModel(run.folder);
}

export function hfDataset(run: HfRun, spec: string, opts: DatasetOptions, template?: string): Dataset {
  return loadHfDataset(spec, opts, run.tokenizer, run.folder.shape.vocab, template);
}

/** --save-hf at the end of a run: the folder (save_hf, or OUT/hf for `true`) and the files written. */
export function saveHfFor(r: RunState, outDir: string): { dir: string; files: string[] } | null {
  const c = r.config;
  if (!c.save_hf || !(r.model instanceof HFModel)) return null;
  const dir = typeof c.save_hf === 'string' ? c.save_hf : path.join(outDir, 'hf');
  const files = saveHf(r.model, dir, { rank: c.rank, alpha: c.alpha, merge: c.merge_lora });
  return { dir, files };
}
