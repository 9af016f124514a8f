/**
 * A Hugging Face model folder → an HFModel: config.json, then every safetensors header (all tensors'
 * names, dtypes and shapes checked before any weight is read), then the tensors one at a time.
 */
import { type HfFolder, inspectHfFolder } from './inspect';
import { HFModel } from './model';

export { type HfFolder, inspectHfFolder };

export function loadHfModel(folder: HfFolder): HFModel {
  const source = { dir: folder.dir, raw: folder.raw, prefix: folder.prefix };
  return HFModel.fromTensors(folder.shape, source, (s) => folder.weights.read(s.name).values);
}
