/**
 * `npm run reproduce` end to end on nano with tiny steps: the command starts its own server on a fresh data home
 * (the suite's build), submits a spec, waits, and writes the report; every claim row must carry a number, a 95%
 * interval or "n = 1", and the verdict its numbers give by the rule written out again here. `--report-only` then
 * writes the same rows from the data home alone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// One seed keeps the test to nine short trainer processes; the interval path is the verdict unit test's.
const SPEC = `name: reproduce-test
method: grid
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 10, batch: 4 }
train: { steps: 6, batch: 4, seq: 16, lr: 3.0e-3, eval_every: 3, norms_every: 2, checkpoint_every: 6 }
parameters:
  gamma:    { values: [1, 2] }
  interval: { values: [1, 2, 6] }
seeds: [1]
baselines:
  - { method: full }
  - { method: lora, rank: 4, alpha: 8, lr: 1.0e-2 }
`;

interface Part {
  label: string;
  value: number | string;
  ci: [number, number] | null;
  n: number;
  computed?: boolean;
  expect: { op: '<' | '<=' | '>' | '>='; than: number };
}
interface Row {
  id: string;
  parts: Part[];
  verdict: { kind: string; text: string };
}

/** The verdict rule of docs/reproduce.md, independently of lib/reproduce/verdict.ts. */
function expectedPart(p: Part): string {
  const value = typeof p.value === 'number' ? p.value : Number.NaN;
  if (!Number.isFinite(value)) return 'cannot tell (no data)';
  const ok = (x: number) =>
    p.expect.op === '<'
      ? x < p.expect.than
      : p.expect.op === '<='
        ? x <= p.expect.than
        : p.expect.op === '>'
          ? x > p.expect.than
          : x >= p.expect.than;
  const [lo, hi] = p.computed ? [value, value] : (p.ci ?? [Number.NaN, Number.NaN]);
  if (!p.computed && !p.ci) return p.n <= 1 ? 'cannot tell (n = 1)' : 'cannot tell (no interval)';
  if (ok(lo) && ok(hi)) return 'holds';
  if (!ok(lo) && !ok(hi)) return 'does not hold';
  return 'cannot tell (CI overlaps)';
}

function expectedRow(r: Row): string {
  const parts = r.parts.map(expectedPart);
  if (!parts.length) return 'cannot tell (no data)';
  if (parts.includes('does not hold')) return 'does not hold';
  if (parts.every((p) => p === 'holds')) return 'holds';
  return parts.find((p) => p.startsWith('cannot tell'))!;
}

function reproduce(args: string[]) {
  const res = spawnSync('npx', ['tsx', 'scripts/reproduce.ts', ...args], { encoding: 'utf8', timeout: 240_000 });
  expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
  return res;
}

test('npm run reproduce writes every claim with a number, an interval or n = 1, and its verdict', async () => {
  test.setTimeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-reproduce-'));
  const home = path.join(dir, 'home');
  fs.writeFileSync(path.join(dir, 'spec.yaml'), SPEC);
  const out = path.join(dir, 'first', 'reproduction.md');
  const run = reproduce(['--home', home, '--spec', path.join(dir, 'spec.yaml'), '--out', out]);
  expect(run.stderr).toMatch(/\d+\/9 runs, \d+ % of steps, .* left/); // progress with an ETA

  const json = JSON.parse(fs.readFileSync(path.join(dir, 'first', 'reproduction.json'), 'utf8')) as {
    claims: Row[];
  };
  const ids = json.claims.map((r) => r.id);
  expect(ids).toEqual(['1a', '1b', '1c', '2a', '2b', '2c', '2d', '3a', '3b', '4a', '4b', '4c', '5']);
  const md = fs.readFileSync(out, 'utf8');
  for (const r of json.claims) {
    expect(r.parts.length, r.id).toBeGreaterThan(0);
    for (const p of r.parts) {
      if (r.id === '2d') continue; // a seed spread needs two seeds: "no data" with one
      expect(typeof p.value === 'number' && Number.isFinite(p.value), `${r.id}: ${p.label}`).toBe(true);
      expect(p.computed || p.ci !== null || p.n === 1, `${r.id}: an interval or n = 1`).toBe(true);
    }
    expect(r.verdict.text, `${r.id}'s verdict from its numbers`).toBe(expectedRow(r));
    const line = md.split('\n').find((l) => l.startsWith(`| ${r.id} |`));
    expect(line, r.id).toBeDefined();
    expect(line!, r.id).toMatch(/\d.*(\(n = \d+\)|\(computed\)|no data)/);
    expect(line!, r.id).toContain(`**${r.verdict.text}**`);
  }
  const html = fs.readFileSync(path.join(dir, 'first', 'reproduction.html'), 'utf8');
  expect(html).toContain('<svg');
  expect(html).not.toMatch(/<script|src="http/);

  const again = path.join(dir, 'again', 'reproduction.md');
  reproduce(['--report-only', '--home', home, '--out', again]);
  const rebuilt = JSON.parse(fs.readFileSync(path.join(dir, 'again', 'reproduction.json'), 'utf8')) as typeof json;
  expect(rebuilt.claims).toEqual(json.claims);
  expect(fs.readFileSync(again, 'utf8')).toBe(md);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('npm run reproduce --model reads a model folder: its shape, its tied head and its own LoRA layout', async () => {
  test.setTimeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-reproduce-model-'));
  const model = path.resolve('tests/fixtures/hf/gpt2-tiny'); // outside the data home: the command's server allows it
  fs.writeFileSync(path.join(dir, 'spec.yaml'), SPEC);
  const out = path.join(dir, 'reproduction.md');
  const args = ['--home', path.join(dir, 'home'), '--spec', path.join(dir, 'spec.yaml'), '--out', out];
  reproduce([...args, '--model', model]);
  const md = fs.readFileSync(out, 'utf8');
  expect(md).toContain(`the model in ${model} (GPT2LMHeadModel, d = 16, 2 blocks, vocabulary 267)`);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'reproduction.json'), 'utf8')) as { claims: Row[] };
  const claim = (id: string) => json.claims.find((r) => r.id === id)!;
  // GPT-2's head is tied to the embedding: 1a reads the embedding for it instead of finding no head.
  expect(Number.isFinite(claim('1a').parts[0].value as number)).toBe(true);
  // LoRA on q, k, v, o, mlp is four adapters per GPT-2 block (c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj), not six.
  const block0 = md.split('\n').find((l) => l.startsWith('| block.0 |'))!;
  expect(block0.split('|').map((c) => c.trim())[5]).toBe(Math.sqrt((4 * 4) / 3).toFixed(3));
  expect(md).toContain('PyTorch on this shape: not measured');
  fs.rmSync(dir, { recursive: true, force: true });
});
