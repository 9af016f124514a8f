import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { parseOrThrow } from './create';
import { confinePath, pathRoots } from './paths';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function home(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-paths-'));
  dirs.push(h);
  fs.mkdirSync(path.join(h, 'data', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(h, 'data', 'sub', 'ok.txt'), 'hello\n');
  return h;
}

const spec = (data: string, extra = '') => `name: p
model: { preset: nano${extra} }
data: ${JSON.stringify(data)}
${extra ? '' : 'pretrain: { steps: 2 }\n'}parameters:
  gamma: { value: 1 }
`;

function problems(text: string, h: string): string[] {
  try {
    parseOrThrow(text, 'application/yaml', pathRoots(h, {}));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).problems!.map((p) => `${p.path}: ${p.message}`);
  }
}

describe('dataset and checkpoint path confinement', () => {
  it('accepts a file under the data home’s data/ folder and makes it absolute', () => {
    const h = home();
    const s = parseOrThrow(spec('sub/ok.txt'), 'application/yaml', pathRoots(h, {}));
    expect(s.data).toEqual({ path: path.join(h, 'data', 'sub', 'ok.txt') });
    const abs = parseOrThrow(spec(path.join(h, 'data', 'sub', 'ok.txt')), 'application/yaml', pathRoots(h, {}));
    expect(abs.data).toEqual({ path: path.join(h, 'data', 'sub', 'ok.txt') });
  });

  it.each([
    ['../../etc/passwd.txt', /'\.\.' is not allowed/],
    ['sub/../../x.txt', /'\.\.' is not allowed/],
    ['..\\..\\win.ini.txt', /'\.\.' is not allowed/],
    ['/etc/hosts.txt', /outside the allowed folders/],
    ['missing.txt', /no such file/],
    ['a\u0000b.txt', /NUL/],
  ])('refuses %j', (p, why) => {
    const list = problems(spec(p), home());
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^data\.path: /);
    expect(list[0]).toMatch(why);
  });

  it('refuses a link inside data/ that points outside', () => {
    const h = home();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-outside-'));
    dirs.push(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret\n');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(h, 'data', 'link.txt'));
    expect(problems(spec('link.txt'), h)[0]).toMatch(/through a link/);
  });

  it('allows folders listed in LAYERLAB_DATA_DIRS, and checkpoints under runs/ for model.base', () => {
    const h = home();
    const extra = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-extra-'));
    dirs.push(extra);
    fs.writeFileSync(path.join(extra, 'corpus.txt'), 'x\n');
    const roots = pathRoots(h, { LAYERLAB_DATA_DIRS: `${extra}:relative/ignored` });
    expect(roots.data).toEqual([path.join(h, 'data'), extra]);
    expect(confinePath(path.join(extra, 'corpus.txt'), roots.data, roots.data[0])).toEqual({
      path: path.join(extra, 'corpus.txt'),
    });
    expect(confinePath(path.join(h, 'runs', 'r1'), roots.checkpoints, roots.data[0])).toEqual({
      path: path.join(h, 'runs', 'r1'),
    });
    expect(confinePath(path.join(h, 'runs', 'r1'), roots.data, roots.data[0])).toMatch(/outside/);
    expect(problems(spec('sub/ok.txt', ", base: '/etc'"), h)).toEqual([
      expect.stringMatching(/^model\.base: \/etc is outside/),
    ]);
    expect(problems(spec('sub/ok.txt', ", base: '../runs/x'"), h)).toEqual([
      expect.stringMatching(/^model\.base: '\.\.' is not allowed/),
    ]);
  });
});
