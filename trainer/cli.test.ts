// The CLI as a real child process: bad configurations, kill + resume, SIGTERM + resume, SIGUSR2 + resume.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../lib/protocol/index';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-cli-'));
const base = path.join(tmp, 'base');

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'wasm', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
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

/** Resolves once the run in `dir` has logged metrics for `step` (polling its events file). */
async function reachStep(dir: string, step: number, run: Promise<Done>): Promise<void> {
  let finished = false;
  void run.then(() => (finished = true));
  const file = path.join(dir, 'events.ndjson');
  while (!finished) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes(`"type":"metrics","step":${step},`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`run in ${dir} ended before step ${step}`);
}

const RUN = [
  '--base',
  base,
  '--method',
  'lisa',
  '--gamma',
  '1',
  '--interval',
  '3',
  '--steps',
  '40',
  '--batch',
  '4',
  '--seq',
  '16',
  '--checkpoint-every',
  '8',
  '--norms-every',
  '5',
  '--eval-every',
  '20',
  '--eval-records',
  '32',
  '--seed',
  '3',
];

function losses(ev: RunEvent[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of ev) {
    if (e.type !== 'metrics') continue;
    expect(out.has(e.step), `metrics for step ${e.step} twice`).toBe(false);
    out.set(e.step, e.values['train/loss']);
  }
  return out;
}

function checkLog(ev: RunEvent[]): void {
  ev.forEach((e, i) => expect(e.seq).toBe(i)); // no seq repeated or skipped
  const perStep = new Set(['metrics', 'eval', 'layer_norms', 'lisa_period', 'checkpoint']);
  const keys = ev.filter((e) => perStep.has(e.type)).map((e) => `${e.type}:${(e as { step: number }).step}`);
  expect(new Set(keys).size).toBe(keys.length); // nothing re-emitted after the resume
}

describe('trainer CLI', () => {
  let reference: Map<number, number>;

  beforeAll(async () => {
    const pre = await cli([
      '--preset',
      'nano',
      '--stage',
      'pretrain',
      '--steps',
      '4',
      '--batch',
      '4',
      '--seq',
      '16',
      '--out',
      base,
    ]);
    expect(pre.code, pre.stderr).toBe(0);
    const ref = await cli([...RUN, '--out', path.join(tmp, 'ref')]);
    expect(ref.code, ref.stderr).toBe(0);
    const ev = events(path.join(tmp, 'ref'));
    checkLog(ev);
    reference = losses(ev);
    expect(reference.size).toBe(40);
  }, 120_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('rejects bad configurations with exit code 2 and a one-line message', async () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ foo: 1 }));
    const cases: [string[], RegExp][] = [
      [
        ['--base', base, '--method', 'lisa', '--gamma', '5'],
        /gamma \(γ = 5\) exceeds the number of transformer blocks \(4\)/,
      ],
      [['--base', base, '--method', 'lisa', '--lisa_activated_layers', '7'], /gamma \(γ = 7\) exceeds/],
      [['--base', base, '--method', 'lisa', '--interval', '0'], /interval must be >= 1/],
      [['--base', base, '--bogus-flag', '1'], /unknown option --bogus-flag/],
      [['--config', bad], /unknown key 'foo'/],
      [['--base', base, '--data', path.join(tmp, 'missing.jsonl')], /data file not found: .*missing\.jsonl/],
      [['--base', path.join(tmp, 'no-such-run')], /base checkpoint not found/],
      [['--resume', '--out', path.join(tmp, 'never-ran')], /nothing to resume/],
    ];
    const results = await Promise.all(
      cases.map(([args]) => cli([...args, '--out', path.join(tmp, `bad-${Math.random()}`)])),
    );
    results.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(cases[i][1]);
    });
  }, 120_000); // eight trainer processes at once: slow on a loaded machine

  it('a NaN loss ends the run with failed/diverged and exit code 3', async () => {
    const out = path.join(tmp, 'diverged');
    const r = await cli([
      '--preset',
      'nano',
      '--stage',
      'pretrain',
      '--steps',
      '20',
      '--lr',
      '1e20',
      '--batch',
      '4',
      '--seq',
      '16',
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    const ev = events(out);
    checkLog(ev);
    const last = ev.at(-1)!;
    expect(last.type === 'failed' && last.reason).toBe('diverged');
    const bad = ev.filter((e) => e.type === 'metrics').at(-1)!;
    expect(bad.type === 'metrics' && Number.isNaN(bad.values['train/loss'])).toBe(true);
  }, 60_000);

  it('records the eval set in run_started; the retired eval_batches is accepted with a warning', async () => {
    const out = path.join(tmp, 'eval-set');
    const r = await cli([
      '--base',
      base,
      '--steps',
      '1',
      '--batch',
      '2',
      '--seq',
      '16',
      '--eval-records',
      '8',
      '--eval-batches',
      '3',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ev = events(out);
    const started = ev.find((e) => e.type === 'run_started');
    const hash = expect.stringMatching(/^[0-9a-f]{64}$/);
    expect(started?.type === 'run_started' && started.evalSet).toEqual({ records: 8, hash });
    const warned = ev.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warned).toContain(
      'eval_batches is no longer used: every evaluation scores the same 8 held-out records (eval_records)',
    );
  }, 60_000);

  it('a killed run resumes from its checkpoint: same losses, seq continuous, nothing duplicated', async () => {
    const out = path.join(tmp, 'killed');
    const { child, done } = start([...RUN, '--out', out]);
    await reachStep(out, 12, done);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const resumed = await cli(['--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ev = events(out);
    checkLog(ev);
    expect(ev.filter((e) => e.type === 'run_started').map((e) => (e as { resumedFrom?: number }).resumedFrom)).toEqual([
      undefined,
      8,
    ]);
    const got = losses(ev);
    expect(got.size).toBe(40);
    for (const [step, loss] of reference)
      expect(Math.abs(got.get(step)! - loss), `step ${step}`).toBeLessThanOrEqual(1e-5);
    expect(ev.at(-1)!.type).toBe('finished');
  }, 120_000);

  it('SIGUSR2 (a time limit is near) writes a checkpoint and a timeout event; the resumed run matches', async () => {
    const out = path.join(tmp, 'time-limit');
    const { child, done } = start([...RUN, '--out', out]);
    await reachStep(out, 6, done);
    child.kill('SIGUSR2');
    const stopped = await done;
    expect(stopped.code).toBe(140);
    const last = events(out).at(-1)!;
    const cp = events(out)
      .filter((e) => e.type === 'checkpoint')
      .at(-1)!;
    expect(last).toMatchObject({ type: 'failed', reason: 'timeout', step: cp.type === 'checkpoint' ? cp.step : -1 });
    expect(last.type === 'failed' && last.message).toMatch(/^received SIGUSR2 \(the job’s time limit is near\)/);
    const resumed = await cli(['--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ev = events(out);
    checkLog(ev);
    const got = losses(ev);
    expect(got.size).toBe(40);
    for (const [step, loss] of reference)
      expect(Math.abs(got.get(step)! - loss), `step ${step}`).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it('SIGTERM writes a checkpoint and a cancelled event; the resumed run matches', async () => {
    const out = path.join(tmp, 'terminated');
    const { child, done } = start([...RUN, '--out', out]);
    await reachStep(out, 6, done);
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code).toBe(143);
    const before = events(out);
    const last = before.at(-1)!;
    expect(last.type).toBe('failed');
    expect(last.type === 'failed' && last.reason).toBe('cancelled');
    const cp = before.filter((e) => e.type === 'checkpoint').at(-1)!;
    expect(cp.type === 'checkpoint' && cp.step).toBe(last.type === 'failed' ? last.step : -1);
    const resumed = await cli(['--resume', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ev = events(out);
    checkLog(ev);
    const got = losses(ev);
    for (const [step, loss] of reference)
      expect(Math.abs(got.get(step)! - loss), `step ${step}`).toBeLessThanOrEqual(1e-5);
    // Acceptance-style checks on the same log: one block per LISA period, norms for every group.
    const groups = (ev[0] as { model: { groups: string[] } }).model.groups;
    const periods = ev.filter((e) => e.type === 'lisa_period');
    expect(periods.length).toBe(14);
    periods.forEach((e) => expect(e.type === 'lisa_period' && e.active.length).toBe(1));
    ev.filter((e) => e.type === 'layer_norms').forEach((e) =>
      expect(Object.keys(e.type === 'layer_norms' ? e.groups : {})).toEqual(groups),
    );
  }, 120_000);
});
