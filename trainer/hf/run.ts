/** What a run needs from a model folder: the checked folder and its tokenizer (loaded before the run is built). */
import type { Dataset, DatasetOptions } from '../data/types';
import type { GPT, ModelShape } from '../model';
import { loadHfDataset } from './data';
import { inspectHfFolder, loadHfModel, type HfFolder } from './load';
import { loadHfTokenizer, type HfTokenizer } from './tokenizer';

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

export function hfDataset(run: HfRun, spec: string, opts: DatasetOptions): Dataset {
  return loadHfDataset(spec, opts, run.tokenizer, run.folder.shape.vocab);
}
