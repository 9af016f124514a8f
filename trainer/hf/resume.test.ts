// A LISA run on a Hugging Face model, stopped by SIGTERM and resumed, logs the losses of an uninterrupted run:
// checkpoints and resume work for --model runs as for the presets (W₀ re-read from the folder).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../../lib/protocol/index';
import { FIXTURES } from './fixtures';

const root = path.resolve(__dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-hfresume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function start(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'wasm', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

const events = (dir: string): RunEvent[] =>
  readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);

function losses(ev: RunEvent[]): Map<number, number> {
  return new Map(
    ev.flatMap((e) => (e.type === 'metrics' ? [[e.step, e.values['train/loss']] as [number, number]] : [])),
  );
}

const RUN = [
  '--model',
  path.join(FIXTURES, 'llama-tiny-gqa'),
  '--method',
  'lisa',
  '--gamma',
  '1',
  '--interval',
  '3',
  '--steps',
  '12',
  '--batch',
  '2',
  '--seq',
  '16',
  '--data',
  path.join(FIXTURES, 'eval.txt'),
  '--lr',
  '0.003',
  '--checkpoint-every',
  '100',
  '--eval-every',
  '100',
  '--seed',
  '5',
];

describe('--model runs resume', () => {
  it('SIGTERM, then --resume: the same losses as an uninterrupted run', async () => {
    const whole = path.join(tmp, 'whole');
    const a = await start([...RUN, '--out', whole]).done;
    expect(a.code, a.stderr).toBe(0);
    const reference = losses(events(whole));
    expect(reference.size).toBe(12);

    const out = path.join(tmp, 'stopped');
    const { child, done } = start([...RUN, '--out', out]);
    const file = path.join(out, 'events.ndjson');
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && !(existsSync(file) && readFileSync(file, 'utf8').includes('"type":"metrics","step":4,'))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(143);
    const resumed = await start(['--resume', '--out', out]).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const got = losses(events(out));
    expect(got.size).toBe(12);
    for (const [step, loss] of reference)
      expect(Math.abs(got.get(step)! - loss), `step ${step}`).toBeLessThanOrEqual(1e-5);
    const periods = events(out).filter((e) => e.type === 'lisa_period');
    expect(periods.map((e) => e.type === 'lisa_period' && e.active)).toEqual(
      events(whole)
        .filter((e) => e.type === 'lisa_period')
        .map((e) => e.type === 'lisa_period' && e.active),
    );
  }, 180_000);
});
