// What a run records and pins, checked through the real trainer process and the files it leaves on disk:
// AdamW state at LISA switches in the checkpoint, token counts and throughput, grad norms, resume pins.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, type RunEvent } from '../lib/protocol/index';
import type { Manifest } from './checkpoint';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-contract-'));
const base = path.join(tmp, 'A');

interface Done {
  code: number | null;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) };
}

const cli = (args: string[]) => start(args).done;

/** Starts a run and stops it with SIGTERM once it has logged metrics for `step`: a checkpoint mid-run. */
async function stoppedRun(args: string[], out: string, step: number): Promise<void> {
  const { child, done } = start([...args, '--out', out]);
  let finished = false;
  void done.then(() => (finished = true));
  const file = path.join(out, 'events.ndjson');
  while (!finished && !(existsSync(file) && readFileSync(file, 'utf8').includes(`"type":"metrics","step":${step},`))) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGTERM');
  const r = await done;
  expect(r.code, r.stderr).toBe(143);
}

function events(dir: string): RunEvent[] {
  return readFileSync(path.join(dir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).map(parseEvent);
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'checkpoint', 'manifest.json'), 'utf8')) as Manifest;

beforeAll(async () => {
  const pre = await cli([
    '--preset',
    'nano',
    '--stage',
    'pretrain',
    '--steps',
    '100',
    '--backend',
    'wasm',
    '--out',
    base,
  ]);
  expect(pre.code, pre.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LISA optimizer state in the checkpoint on disk', () => {
  it('reset_blocks: the head counts every global step, a block restarts at each period', async () => {
    const stepCounts = async (steps: number, mode: string) => {
      const out = path.join(tmp, `B-${mode}-${steps}`);
      const r = await cli([
        '--preset',
        'nano',
        '--base',
        base,
        '--method',
        'lisa',
        '--optimizer-state',
        mode,
        '--interval',
        '5',
        '--steps',
        String(steps),
        '--backend',
        'wasm',
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const m = manifest(out);
      expect(m.step).toBe(steps);
      const t = new Map(m.optimizer.map((s) => [s.name, s.t]));
      const ev = events(out);
      const last = ev.filter((e) => e.type === 'lisa_period').at(-1)!;
      const active = last.type === 'lisa_period' ? last.active : [];
      return { t, active, ev, config: m.config };
    };
    const b = await stepCounts(30, 'reset_blocks');
    expect(b.config.optimizer_state).toBe('reset_blocks');
    for (const name of ['head', 'wte', 'wpe', 'lnf.g', 'lnf.b']) expect(b.t.get(name), name).toBe(30);
    expect(b.active.length).toBe(2);
    for (const i of b.active) expect(b.t.get(`block.${i}.attn.q`), `block ${i}`).toBe(5);
    // Blocks not active in the last period hold no state at all.
    for (let i = 0; i < 4; i++) {
      if (!b.active.includes(i)) expect(b.t.has(`block.${i}.mlp.fc`), `block ${i}`).toBe(false);
    }
    const periods = b.ev.filter((e) => e.type === 'lisa_period');
    expect(periods.map((e) => e.type === 'lisa_period' && e.reset)).toEqual([false, true, true, true, true, true]);
    expect(periods.slice(1).every((e) => e.type === 'lisa_period' && e.reset_scope === 'blocks')).toBe(true);
    // Mid-period: two steps into the sixth period.
    const mid = await stepCounts(27, 'reset_blocks');
    expect(mid.t.get('head')).toBe(27);
    for (const i of mid.active) expect(mid.t.get(`block.${i}.attn.q`)).toBe(2);
    // reset_all (and its old name `reset`) restarts the head too.
    const all = await stepCounts(27, 'reset');
    expect(all.config.optimizer_state).toBe('reset_all');
    expect(all.t.get('head')).toBe(2);
    const warned = all.ev.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warned).toContain("optimizer_state 'reset' is deprecated: it means 'reset_all'");
  }, 180_000);
});

describe('resume pins what the run started with', () => {
  it('records the backend auto chose, refuses another on resume unless forced, and checks W₀', async () => {
    const copy = path.join(tmp, 'A-copy');
    cpSync(base, copy, { recursive: true });
    const out = path.join(tmp, 'pinned');
    const args = [
      '--preset',
      'nano',
      '--base',
      copy,
      '--method',
      'lisa',
      '--interval',
      '3',
      '--steps',
      '40',
      '--batch',
      '4',
      '--seq',
      '16',
      '--eval-every',
      '1000',
      '--eval-records',
      '32',
      '--norms-every',
      '1000',
      '--backend',
      'auto',
    ];
    await stoppedRun(args, out, 3);
    const m = manifest(out);
    expect(m.config.backend).toBe('auto');
    expect(m.backend).toBe('wasm'); // what auto chose here (no native tfjs packages)
    expect(m.w0_sha256).toMatch(/^[0-9a-f]{64}$/);

    const other = await cli(['--resume', '--out', out, '--backend', 'cpu']);
    expect(other.code, other.stderr).toBe(2);
    const refused = /^\[layerlab\] error: this run started on backend wasm; resuming on cpu .*--force-backend/;
    expect(other.stderr.trim()).toMatch(refused);

    // The base the norms re-read as W₀ has changed since the run started.
    const weights = path.join(copy, 'checkpoint', 'weights.bin');
    const original = readFileSync(weights);
    const changed = Buffer.from(original);
    changed.writeFloatLE(changed.readFloatLE(0) + 1, 0);
    writeFileSync(weights, changed);
    const tampered = await cli(['--resume', '--out', out]);
    expect(tampered.code, tampered.stderr).toBe(2);
    expect(tampered.stderr.trim()).toMatch(/W₀ .*changed since the run started/);
    writeFileSync(weights, original);

    const forced = await cli(['--resume', '--out', out, '--backend', 'cpu', '--force-backend']);
    expect(forced.code, forced.stderr).toBe(0);
    const ev = events(out);
    const starts = ev.filter((e) => e.type === 'run_started');
    expect(starts.map((e) => (e.type === 'run_started' ? e.backend.name : ''))).toEqual(['wasm', 'cpu']);
    const warned = ev.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warned.join('\n')).toMatch(/started on backend wasm, resumed on cpu/);
    expect(manifest(out).backend).toBe('cpu');
    expect(manifest(out).w0_sha256).toBe(m.w0_sha256);
  }, 180_000);

  it('a checkpoint from before `backend` was recorded: an auto run stays on what run_started says', async () => {
    const out = path.join(tmp, 'pinned-old');
    await stoppedRun(
      [
        '--preset',
        'nano',
        '--base',
        base,
        '--method',
        'full',
        '--steps',
        '40',
        '--batch',
        '4',
        '--seq',
        '16',
        '--eval-every',
        '1000',
        '--eval-records',
        '32',
        '--backend',
        'auto',
      ],
      out,
      3,
    );
    const file = path.join(out, 'checkpoint', 'manifest.json');
    const { backend: _b, w0_sha256: _w, ...older } = manifest(out);
    writeFileSync(file, JSON.stringify(older));
    const other = await cli(['--resume', '--out', out, '--backend', 'cpu']);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).toMatch(/this run started on backend wasm; resuming on cpu/);
  }, 120_000);
});

describe('tokens, throughput and gradient norms in the events', () => {
  it('counts total and loss tokens, leaves instrumented steps out of tokens/s, and logs grad_norm/all', async () => {
    const out = path.join(tmp, 'speed');
    const r = await cli([
      '--preset',
      'nano',
      '--base',
      base,
      '--method',
      'lisa',
      '--gamma',
      '1',
      '--interval',
      '5',
      '--steps',
      '30',
      '--batch',
      '4',
      '--seq',
      '16',
      '--norms-every',
      '4',
      '--eval-every',
      '1000',
      '--eval-records',
      '32',
      '--backend',
      'wasm',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ev = events(out);
    const metrics = ev.flatMap((e) => (e.type === 'metrics' ? [e] : []));
    expect(metrics).toHaveLength(30);
    let tokens = 0;
    let lossTokens = 0;
    let timedTokens = 0;
    let timedMs = 0;
    for (const m of metrics) {
      const v = m.values;
      expect(v.tokens).toBe(4 * 16);
      expect(v.loss_tokens).toBeGreaterThan(0);
      expect(v.loss_tokens).toBeLessThan(v.tokens); // instruct data: prompts and padding are not in the loss
      tokens += v.tokens;
      lossTokens += v.loss_tokens;
      const instrumented = m.step === 1 || m.step === 26 || m.step % 4 === 0 || m.step === 30;
      // Peak-memory profiling (step 1, then a switch ≥ 25 steps later) and the wide gradient pass of the norm
      // steps cost extra time: those steps are marked and carry no speed figures.
      expect(v.instrumented, `step ${m.step}`).toBe(instrumented ? 1 : undefined);
      expect(v.tokens_per_s === undefined, `step ${m.step}`).toBe(instrumented);
      expect(v.step_ms === undefined, `step ${m.step}`).toBe(instrumented);
      if (!instrumented) {
        timedTokens += v.tokens;
        timedMs += v.step_ms;
      } else expect(v.instrumented_step_ms).toBeGreaterThan(0);
      expect(v['grad_norm/all'] !== undefined, `step ${m.step}`).toBe(m.step % 4 === 0 || m.step === 30);
      if (v['grad_norm/all'] !== undefined) expect(v['grad_norm/all']).toBeGreaterThan(v.grad_norm);
    }
    const fin = ev.at(-1)!;
    expect(fin.type).toBe('finished');
    const s = fin.type === 'finished' ? fin.summary : {};
    expect(s.tokens).toBe(tokens);
    expect(s.loss_tokens).toBe(lossTokens);
    expect(s.timed_tokens).toBe(timedTokens);
    // Total tokens ÷ total time over the timed steps (not a mean of per-step rates).
    expect(s.tokens_per_s).toBeCloseTo(timedTokens / (timedMs / 1000), 6);
    expect(s.timed_s).toBeCloseTo(timedMs / 1000, 9);
  }, 120_000);
});
