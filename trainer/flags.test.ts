// The trainer process with the settings ms-swift and LMFlow users bring: gradient accumulation (resumed exactly),
// warm-up as a ratio of the steps, keeping the newest N checkpoints, epochs instead of steps.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../lib/protocol/index';
import { splitRecords } from './data/records';
import { learningRate } from './optim';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'wasm', ...args],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

const cli = (args: string[]) => start(args).done;

function events(dir: string): RunEvent[] {
  return readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);
}

function metrics(ev: RunEvent[]): Map<number, Record<string, number>> {
  return new Map(ev.flatMap((e) => (e.type === 'metrics' ? [[e.step, e.values] as const] : [])));
}

/** Starts a run and kills it (SIGKILL: no checkpoint on the way out) once it has logged metrics for `step`. */
async function killedAt(args: string[], out: string, step: number): Promise<void> {
  const { child, done } = start(args);
  const file = path.join(out, 'events.ndjson');
  let ended = false;
  void done.then(() => (ended = true));
  while (!ended && !(existsSync(file) && readFileSync(file, 'utf8').includes(`"type":"metrics","step":${step},`))) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
}

/** A small pretrain-stage run: no base checkpoint needed. */
const SMALL = ['--preset', 'nano', '--stage', 'pretrain', '--seq', '16', '--eval-records', '8', '--eval-every', '100'];

describe('gradient accumulation in the trainer process', () => {
  const run = [...SMALL, '--batch', '2', '--grad-accum', '3', '--steps', '12', '--checkpoint-every', '4'];

  it('counts every micro-batch and resumes bit-exactly after a kill mid-run', async () => {
    const ref = path.join(tmp, 'accum-ref');
    const r = await cli([...run, '--out', ref]);
    expect(r.code, r.stderr).toBe(0);
    const reference = metrics(events(ref));
    expect(reference.size).toBe(12);
    for (const values of reference.values()) expect(values.tokens).toBe(3 * 2 * 16);
    const started = events(ref)[0];
    expect(started.type === 'run_started' && started.config.grad_accum).toBe(3);

    const out = path.join(tmp, 'accum-killed');
    await killedAt([...run, '--out', out], out, 6);
    const resumed = await cli(['--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ev = events(out);
    const from = ev.flatMap((e) => (e.type === 'run_started' && e.resumedFrom ? [e.resumedFrom] : []));
    expect(from.length).toBe(1);
    expect(from[0] % 4 === 0 && from[0] < 12).toBe(true); // from a checkpoint mid-run
    const got = metrics(ev);
    for (const [step, values] of reference)
      expect(got.get(step)?.['train/loss'], `step ${step}`).toBe(values['train/loss']);
    const weights = (dir: string) => readFileSync(path.join(dir, 'checkpoint', 'weights.bin'));
    expect(weights(out).equals(weights(ref))).toBe(true);
  }, 120_000);
});

describe('warmup_ratio', () => {
  it('warms up for ⌈ratio × steps⌉ steps: the lr of every step is that schedule', async () => {
    const out = path.join(tmp, 'ratio');
    const r = await cli([
      ...SMALL,
      '--batch',
      '2',
      '--steps',
      '25',
      '--warmup-ratio',
      '0.1',
      '--lr',
      '0.001',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const got = metrics(events(out));
    expect(got.size).toBe(25);
    // ⌈0.1 × 25⌉ = 3 (2.5 rounded down would be 2)
    const schedule = { lr: 1e-3, steps: 25, warmup: 3, schedule: 'cosine' as const, minLrRatio: 0.1 };
    for (const [step, values] of got) expect(values.lr, `step ${step}`).toBe(learningRate(step, schedule));
    expect(got.get(1)!.lr).toBeCloseTo(1e-3 / 3, 12);
    expect(got.get(3)!.lr).toBe(1e-3);
  }, 60_000);

  it('warmup and warmup_ratio together: exit code 2 naming both', async () => {
    const r = await cli([...SMALL, '--warmup', '5', '--warmup-ratio', '0.1', '--out', path.join(tmp, 'both')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give warmup \(5 steps\) or warmup_ratio \(0.1 of the steps\), not both/);
  }, 30_000);
});

describe('keep_checkpoints', () => {
  const run = [...SMALL, '--batch', '2', '--steps', '14', '--checkpoint-every', '2'];
  /** What the run folder holds besides its events: checkpoint folders, and nothing half-written. */
  const folders = (dir: string) =>
    readdirSync(dir)
      .filter((n) => n !== 'events.ndjson')
      .sort();

  it('keeps the newest N: checkpoint/ and N − 1 older checkpoint-<step>/; a killed run resumes', async () => {
    const ref = path.join(tmp, 'keep-ref');
    const r = await cli([...run, '--keep-checkpoints', '3', '--out', ref]);
    expect(r.code, r.stderr).toBe(0);
    expect(folders(ref)).toEqual(['checkpoint', 'checkpoint-10', 'checkpoint-12']);
    const step = (dir: string) => JSON.parse(readFileSync(path.join(ref, dir, 'manifest.json'), 'utf8')).step;
    expect(['checkpoint', 'checkpoint-10', 'checkpoint-12'].map(step)).toEqual([14, 10, 12]);

    const out = path.join(tmp, 'keep-killed');
    await killedAt([...run, '--keep-checkpoints', '3', '--out', out], out, 9);
    const resumed = await cli(['--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(folders(out)).toEqual(['checkpoint', 'checkpoint-10', 'checkpoint-12']);
    const reference = metrics(events(ref));
    const got = metrics(events(out));
    for (const [s, values] of reference) expect(got.get(s)?.['train/loss'], `step ${s}`).toBe(values['train/loss']);
  }, 120_000);

  it('without it, as before: one checkpoint, rewritten in place', async () => {
    const out = path.join(tmp, 'keep-default');
    const r = await cli([...run, '--steps', '6', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(folders(out)).toEqual(['checkpoint']);
  }, 60_000);
});

describe('epochs', () => {
  const startedConfig = (dir: string) => {
    const e = events(dir)[0];
    return e.type === 'run_started' ? e.config : {};
  };
  const infos = (dir: string) =>
    events(dir).flatMap((e) => (e.type === 'log' && e.level === 'info' ? [e.message] : []));

  it('text: a record is a window of seq + 1 tokens of the training part', async () => {
    // 2,000 bytes: the held-out tail is 10% (200 bytes), so 1,800 training bytes = 105 windows of 17 bytes.
    const file = path.join(tmp, 'words.txt');
    writeFileSync(file, 'the quick brown fox jumps over the lazy dog. '.repeat(45).slice(0, 2000));
    const out = path.join(tmp, 'epochs-text');
    const args = ['--data', file, '--batch', '4', '--grad-accum', '2', '--epochs', '1', '--out', out];
    const r = await cli([...SMALL, ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(startedConfig(out)).toMatchObject({ epochs: 1, steps: 14 }); // ⌈105 ÷ 8⌉
    expect(metrics(events(out)).size).toBe(14);
    expect(infos(out)).toContain('epochs 1 × 105 training records ÷ (batch 4 × grad_accum 2) = 14 steps');
  }, 60_000);

  it('instruction records: a record is one record outside the held-out split', async () => {
    const records = Array.from({ length: 60 }, (_, i) => ({
      instruction: `Add ${i} and ${i + 1}.`,
      output: `${2 * i + 1}`,
    }));
    const file = path.join(tmp, 'sums.jsonl');
    writeFileSync(file, records.map((x) => JSON.stringify(x)).join('\n'));
    const train = splitRecords('sums.jsonl', records).train.length;
    expect(train).toBeLessThan(60);
    const out = path.join(tmp, 'epochs-records');
    const r = await cli([...SMALL, '--data', file, '--batch', '8', '--epochs', '1.5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(startedConfig(out)).toMatchObject({ epochs: 1.5, steps: Math.ceil((1.5 * train) / 8) });
    expect(infos(out)).toContain(
      `epochs 1.5 × ${train} training records ÷ (batch 8 × grad_accum 1) = ${Math.ceil((1.5 * train) / 8)} steps`,
    );
  }, 60_000);

  it('steps and epochs together, or epochs over endless data: exit code 2 with the reason', async () => {
    const both = await cli([...SMALL, '--steps', '5', '--epochs', '1', '--out', path.join(tmp, 'epochs-both')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give steps or epochs, not both: epochs 1 × \d+ training records .* but steps is 5/);
    const endless = ['--stage', 'pretrain', '--data', 'instruct', '--epochs', '1', '--out', path.join(tmp, 'endless')];
    const r = await cli(endless);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/epochs needs data of a known size, and instruct draws new records at every step/);
  }, 60_000);
});
