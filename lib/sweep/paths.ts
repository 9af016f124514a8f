/**
 * Filesystem paths in a sweep spec (a dataset file under `data` / `pretrain.data`, a checkpoint folder
 * under `model.base`, a Hugging Face model folder under `model.path`) are confined to allowed folders, because
 * the server hands them to a trainer process.
 *
 * Rule:
 * - A relative path is taken relative to the data home's `data/` folder (`$LAYERLAB_HOME/data`).
 * - An absolute path must lie inside an allowed folder: `$LAYERLAB_HOME/data`, any folder listed in
 *   `LAYERLAB_DATA_DIRS` (absolute paths separated by `:`), and, for `model.base` and `model.path` only,
 *   `$LAYERLAB_HOME/runs` (the checkpoints and `hf/` exports of earlier runs).
 * - No `..` segment, no NUL byte, and a path whose real location (symlinks followed) leaves the allowed
 *   folders is refused too. A dataset file must exist.
 * Accepted paths are rewritten to their absolute form, so the trainer (whose working folder is the project)
 * reads exactly the file that was checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runsRoot } from '../runs/layout';
import { inspectModelFolder } from './model';
import type { DataSpec, Problem, SweepSpec } from './types';

export interface PathRoots {
  /** Folders dataset files may come from; the first one anchors relative paths. */
  data: string[];
  /** Folders a base checkpoint may come from. */
  checkpoints: string[];
}

export function pathRoots(home: string, env: Record<string, string | undefined> = process.env): PathRoots {
  const extra = (env.LAYERLAB_DATA_DIRS ?? '')
    .split(':')
    .map((d) => d.trim())
    .filter((d) => d && path.isAbsolute(d))
    .map((d) => path.resolve(d));
  const data = [path.join(path.resolve(home), 'data'), ...extra];
  return { data, checkpoints: [...data, runsRoot(path.resolve(home))] };
}

const inside = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Resolve one path against the roots; a string result is the problem. */
export function confinePath(raw: string, roots: string[], anchor: string): { path: string } | string {
  const shown = roots.join(', ');
  if (raw.includes('\0')) return 'a path may not contain a NUL byte';
  if (raw.split(/[\\/]+/).includes('..')) return `'..' is not allowed in a path; use a path inside ${shown}`;
  const abs = path.isAbsolute(raw) ? path.resolve(raw) : path.resolve(anchor, raw);
  if (!roots.some((r) => inside(r, abs))) {
    return (
      `${abs} is outside the allowed folders (${shown}); put the file there or add its folder to ` +
      `LAYERLAB_DATA_DIRS`
    );
  }
  const real = realOrSelf(abs);
  if (real !== abs && !roots.some((r) => inside(realOrSelf(r), real))) {
    return `${abs} points (through a link) to ${real}, outside the allowed folders (${shown})`;
  }
  return { path: abs };
}

function confineData(d: DataSpec, roots: PathRoots, at: string, problems: Problem[]): DataSpec {
  if (!('path' in d)) return d;
  const r = confinePath(d.path, roots.data, roots.data[0]);
  if (typeof r === 'string') {
    problems.push({ path: `${at}.path`, message: r });
    return d;
  }
  let isFile = false;
  try {
    isFile = fs.statSync(r.path).isFile();
  } catch {
    /* missing */
  }
  if (!isFile) problems.push({ path: `${at}.path`, message: `no such file: ${r.path}` });
  return { path: r.path };
}

/** Check and absolutise every path in a validated spec. */
export function confineSpecPaths(spec: SweepSpec, roots: PathRoots): { spec: SweepSpec; problems: Problem[] } {
  const problems: Problem[] = [];
  const data = confineData(spec.data, roots, 'data', problems);
  const pretrain = spec.pretrain
    ? { ...spec.pretrain, data: confineData(spec.pretrain.data, roots, 'pretrain.data', problems) }
    : null;
  let model = spec.model;
  if (spec.model.base !== undefined) {
    const r = confinePath(spec.model.base, roots.checkpoints, roots.data[0]);
    if (typeof r === 'string') problems.push({ path: 'model.base', message: r });
    else model = { ...spec.model, base: r.path };
  }
  if (spec.model.path !== undefined) {
    const r = confinePath(spec.model.path, roots.checkpoints, roots.data[0]);
    if (typeof r === 'string') problems.push({ path: 'model.path', message: r });
    else {
      const folder = inspectModelFolder(r.path);
      if ('problem' in folder) problems.push({ path: 'model.path', message: folder.problem });
      else model = { path: r.path, hf: folder.shape };
    }
  }
  return { spec: { ...spec, data, pretrain, model }, problems };
}
