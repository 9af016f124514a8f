// The trainer in a terminal (a real pseudo-terminal from util-linux `script`): a progress bar instead of NDJSON,
// NDJSON on a pipe or with --json; "did you mean" for unknown flags; flags a method does not use are refused.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../lib/protocol/index';
import { clock, progressLine, TerminalProgress } from './progress';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-terminal-'));
const base = path.join(tmp, 'base');
const never = path.join(tmp, 'never');
const TRAIN = [process.execPath, '--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'wasm'];
const TINY = ['--preset', 'nano', '--stage', 'pretrain', '--steps', '6', '--batch', '2', '--seq', '8'];
const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/** Run the trainer with stdout and stderr on a pseudo-terminal; what the terminal showed. */
function inTerminal(args: string[]): string {
  const command = [...TRAIN, ...args].map(quote).join(' ');
  return execFileSync('script', ['-qec', command, '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

/** Run the trainer with stdout and stderr on pipes. */
function piped(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TRAIN[0], [...TRAIN.slice(1), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const ndjsonLines = (text: string) => text.split(/\r?\n/).filter((l) => l.startsWith('{"v":1,'));
const eventsIn = (dir: string) =>
  readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);

beforeAll(async () => {
  const r = await piped([...TINY, '--steps', '2', '--out', base]);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('progress bar', () => {
  it('draws the bar, the step, the loss and the ETA from the events', () => {
    let t = 0;
    let shown = '';
    const bar = new TerminalProgress({ write: (s: string) => (shown += s), columns: 100 }, () => t);
    const config = { steps: 10 } as never;
    bar.onEvent({ v: 1, seq: 0, time: '', type: 'run_started', config, backend: {} as never, model: {} as never });
    for (let step = 1; step <= 4; step++) {
      t = step * 1000; // one step per second
      bar.onEvent({ v: 1, seq: step, time: '', type: 'metrics', step, values: { 'train/loss': 5 - step / 10 } });
    }
    const last = shown.split('\r\x1b[K').at(-1)!;
    expect(last).toBe(progressLine({ step: 4, total: 10, loss: 4.6, eta: 6, stepsPerS: 1 }, 100));
    expect(last).toMatch(/^\[█{16}░{24}\] 4\/10 {3}40% {2}loss 4\.6000 {2}1\.0 steps\/s {2}eta 0:06$/);
    bar.say('[layerlab] eval @ 4: loss 4.5');
    expect(shown.endsWith(`\r\x1b[K[layerlab] eval @ 4: loss 4.5\n${last}`)).toBe(true);
    expect([clock(42), clock(65), clock(3725), clock(Number.NaN)]).toEqual(['0:42', '1:05', '1:02:05', '—']);
  });

  it('a terminal gets the bar and no NDJSON; the events file gets every event', () => {
    const out = path.join(tmp, 'tty');
    const shown = inTerminal([...TINY, '--out', out]);
    expect(ndjsonLines(shown)).toEqual([]);
    expect(shown).toMatch(/\] 6\/6 {2}100% {2}loss \d+\.\d{4} .*eta 0:00/);
    expect(shown).toContain('[layerlab] finished: 6 steps');
    const ev = eventsIn(out);
    expect(ev.filter((e) => e.type === 'metrics')).toHaveLength(6);
    expect(ev.at(-1)!.type).toBe('finished');
  }, 120_000);

  it('--json prints the NDJSON on a terminal too; a pipe always gets it', async () => {
    const json = path.join(tmp, 'tty-json');
    const shown = inTerminal([...TINY, '--json', '--out', json]);
    expect(ndjsonLines(shown).map((l) => parseEvent(l).seq)).toEqual(eventsIn(json).map((e) => e.seq));
    const pipe = path.join(tmp, 'pipe');
    const r = await piped([...TINY, '--out', pipe]);
    expect(r.code).toBe(0);
    expect(ndjsonLines(r.stdout)).toHaveLength(eventsIn(pipe).length);
    expect(r.stderr).not.toContain('█');
  }, 120_000);
});

describe('flags', () => {
  it('an unknown flag names the near one, as the sweep validator does for keys', async () => {
    const cases: [string[], string][] = [
      [['--gama', '2'], 'unknown option --gama (did you mean --gamma?)'],
      [['--lerning-rate', '1e-3'], 'unknown option --lerning-rate (did you mean --learning-rate?)'],
      [['--dryrun'], 'unknown option --dryrun (did you mean --dry-run?)'],
      [['--bogus-flag', '1'], 'unknown option --bogus-flag (run with --help for the list)'],
    ];
    const results = await Promise.all(cases.map(([args]) => piped(['--base', base, ...args, '--out', never])));
    results.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`[layerlab] error: ${cases[i][1]}`);
    });
  }, 120_000);

  it('refuses flags the method or the stage does not use, as the sweep validator refuses them', async () => {
    const cases: [string[], string][] = [
      [['--base', base, '--method', 'lora', '--gamma', '2'], '--gamma: not used by lora runs'],
      [
        ['--base', base, '--method', 'full', '--interval', '5', '--rank', '4'],
        '--interval: not used by full runs; --rank: not used by full runs',
      ],
      [['--base', base, '--method', 'lisa', '--alpha', '8'], '--alpha: not used by lisa runs'],
      [[...TINY, '--gamma', '1'], '--gamma: not used by the pretrain stage (it trains all weights)'],
    ];
    // A method's own knobs pass; a --config file may hold every knob (the server writes complete configs).
    const file = path.join(tmp, 'complete.json');
    writeFileSync(file, JSON.stringify({ base, method: 'lora', gamma: 2, interval: 5, rank: 4 }));
    const [lora, complete, ...results] = await Promise.all([
      piped(['--base', base, '--method', 'lora', '--rank', '4', '--dry-run', '--out', never]),
      piped(['--config', file, '--dry-run', '--out', never]),
      ...cases.map(([args]) => piped([...args, '--dry-run', '--out', never])),
    ]);
    results.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`[layerlab] error: ${cases[i][1]}`);
    });
    expect(lora.code, lora.stderr).toBe(0);
    expect(complete.code, complete.stderr).toBe(0);
  }, 120_000);
});
