/**
 * Which TensorFlow.js backends the trainer could load on this machine, in the trainer's order of preference.
 * A cheap probe: module resolution (and the wasm binary's presence), without initialising any backend.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface BackendProbe {
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  package: string;
  available: boolean;
  detail: string;
}

const CANDIDATES: { name: BackendProbe['name']; pkg: string }[] = [
  { name: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu' },
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node' },
  { name: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm' },
  { name: 'cpu', pkg: '@tensorflow/tfjs' },
];

export function probeBackends(root: string = process.cwd()): BackendProbe[] {
  const req = createRequire(path.join(root, 'package.json'));
  return CANDIDATES.map(({ name, pkg }) => {
    let resolved: string;
    try {
      resolved = req.resolve(`${pkg}/package.json`);
    } catch {
      return { name, package: pkg, available: false, detail: 'not installed' };
    }
    if (name === 'wasm') {
      const wasmFile = path.join(path.dirname(resolved), 'dist', 'tfjs-backend-wasm-simd.wasm');
      if (!fs.existsSync(wasmFile)) return { name, package: pkg, available: false, detail: `missing ${wasmFile}` };
    }
    const version = (JSON.parse(fs.readFileSync(resolved, 'utf8')) as { version: string }).version;
    return { name, package: pkg, available: true, detail: `version ${version}` };
  });
}
