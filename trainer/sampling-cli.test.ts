// The sampling rules in the trainer process: the period events carry the drawn modules and the scores, and a run
// killed mid-period resumes with the same draws and the same losses as one that never stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../lib/protocol/index';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-sampling-'));
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

const base = path.join(tmp, 'base');
const COMMON = ['--seq', '16', '--batch', '2', '--eval-records', '8', '--eval-every', '100', '--norms-every', '100'];

beforeAll(async () => {
  const r = await cli(['--preset', 'nano', '--stage', 'pretrain', '--steps', '1', ...COMMON, '--out', base]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

const periods = (ev: RunEvent[]) => ev.flatMap((e) => (e.type === 'lisa_period' ? [e] : []));
const losses = (ev: RunEvent[]) =>
  new Map(ev.flatMap((e) => (e.type === 'metrics' ? [[e.step, e.values['train/loss']] as const] : [])));

describe('sampling rules in the trainer process', () => {
  // Periods of 3 steps. Checkpoints every 4: a kill after step 6 resumes from step 4, in the middle of a period.
  // grad_norm, checkpoints every 3: a kill after step 7 resumes from step 6, the end of a period, so the next draw
  // needs the gradient measured at step 6 before the kill (kept in the checkpoint).
  const cases = [
    ['importance', 'grad_norm', 'module', 3, 7, 6],
    ['importance', 'weight_change_rate', 'module', 4, 6, 4],
    ['importance', 'update_norm', 'block', 4, 6, 4],
  ] as const;
  for (const [sampling, score, granularity, every, kill, resumeAt] of cases) {
    const title = `${sampling} ${score} (${granularity}): events carry draws and scores; a killed run resumes exactly`;
    it(title, async () => {
      const args = [
        ...['--base', base, ...COMMON, '--method', 'lisa', '--sampling', sampling, '--importance-score', score],
        ...[
          '--granularity',
          granularity,
          '--gamma',
          '2',
          '--interval',
          '3',
          '--steps',
          '12',
          '--checkpoint-every',
          `${every}`,
        ],
        ...['--importance-tau', '0.5', '--importance-eps', '0.05'],
      ];
      const ref = path.join(tmp, `${score}-ref`);
      const r = await cli([...args, '--out', ref]);
      expect(r.code, r.stderr).toBe(0);
      const want = events(ref);
      const draws = periods(want);
      expect(draws.map((p) => p.step)).toEqual([1, 4, 7, 10]);
      expect(draws[0].scores).toBeUndefined();
      for (const p of draws.slice(1)) expect(Object.keys(p.scores!).length).toBe(granularity === 'module' ? 28 : 4);
      if (granularity === 'module') for (const p of draws) expect(p.modules!.length).toBe(2);
      else for (const p of draws) expect(p.modules).toBeUndefined();

      const out = path.join(tmp, `${score}-killed`);
      await killedAt([...args, '--out', out], out, kill);
      expect((await cli(['--resume', '--out', out])).code).toBe(0);
      const got = events(out);
      const from = got.flatMap((e) => (e.type === 'run_started' && e.resumedFrom ? [e.resumedFrom] : []));
      expect(from).toEqual([resumeAt]);
      expect(periods(got)).toEqual(
        draws.map((p, i) => ({ ...p, seq: periods(got)[i].seq, time: periods(got)[i].time })),
      );
      expect(losses(got)).toEqual(losses(want));
      const weights = (dir: string) => readFileSync(path.join(dir, 'checkpoint', 'weights.bin'));
      expect(weights(out).equals(weights(ref))).toBe(true);
    }, 180_000);
  }

  it('bad settings: one line naming the problem, exit code 2', async () => {
    const lisa = ['--base', base, ...COMMON, '--method', 'lisa', '--steps', '2'];
    const fixed = await cli([...lisa, '--sampling', 'fixed', '--out', path.join(tmp, 'bad1')]);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toMatch(/sampling fixed needs fixed_blocks/);
    const where = await cli([...lisa, '--sampling', 'fixed', '--fixed-blocks', '0,9', '--out', path.join(tmp, 'bad2')]);
    expect(where.code).toBe(2);
    expect(where.stderr).toMatch(/fixed_blocks entry '9': the model has blocks 0..3, not 9/);
    const rule = await cli([...lisa, '--sampling', 'greedy', '--out', path.join(tmp, 'bad3')]);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/sampling/);
  }, 60_000);
});
