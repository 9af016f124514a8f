/**
 * A Hugging Face model folder checked without reading a weight: config.json, then every safetensors header (all
 * tensors' names, dtypes and shapes against what config.json implies). No tfjs here: the sweep planner checks
 * folders at submission with it.
 */
import path from 'node:path';
import { gpt2Prefix, isBuffer, tensorSpecs } from './arch';
import { readHfConfig, type HfShape } from './config';
import { ModelError } from './errors';
import { SafetensorsFolder } from './safetensors';

export interface HfFolder {
  dir: string;
  shape: HfShape;
  raw: Record<string, unknown>;
  weights: SafetensorsFolder;
  prefix: string;
}

/** Reads and checks everything but the weights' values. */
export function inspectHfFolder(dir: string): HfFolder {
  const abs = path.resolve(dir);
  const { shape, raw } = readHfConfig(abs);
  const weights = new SafetensorsFolder(abs);
  const prefix = shape.family === 'gpt2' ? gpt2Prefix(weights.tensors.keys()) : '';
  const specs = tensorSpecs(shape, prefix);
  const fileOf = (name: string) => path.join(abs, path.basename(weights.tensors.get(name)?.file ?? weights.files[0]));
  for (const s of specs) {
    if (!weights.has(s.name)) {
      throw new ModelError(`${fileOf(s.name)}: tensor ${s.name} is missing (${shape.architecture} needs it)`);
    }
    const got = weights.info(s.name).shape;
    if (got.join('x') !== s.hfShape.join('x')) {
      const why = `has shape [${got}], config.json implies [${s.hfShape}]`;
      throw new ModelError(`${fileOf(s.name)}: tensor ${s.name} ${why}`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  // A tied GPT-2 saved by transformers may still carry lm_head.weight (equal to wte).
  const tolerated = (n: string) => isBuffer(n) || (shape.tied && n === 'lm_head.weight');
  for (const name of weights.tensors.keys()) {
    if (!known.has(name) && !tolerated(name)) {
      const why = `for ${shape.architecture} with this config.json`;
      throw new ModelError(`${fileOf(name)}: unexpected tensor ${name} ${why}`);
    }
  }
  return { dir: abs, shape, raw, weights, prefix };
}
