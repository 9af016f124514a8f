/**
 * examples/torch-lisa as a command sweep on a real server, with Debian's PyTorch: sweep.yaml goes in through the
 * HTTP API, every run is the example's train.py, and the views show what the PyTorch runs reported — the
 * ablation table (γ × K, mean ± std over two seeds, and the full baseline), Figure 2 (per-layer ‖ΔW‖, LISA vs
 * full) and a run's LISA timeline. Then a command run SIGKILLed mid-way is resumed from its page and its stored
 * loss series has every step once. Without torch it fails, saying how to install it (never a silent skip).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { ownServer, type OwnServer } from './support/server';
import { ENDED, waitForSweep, type RunJson } from './support/specs';

const PYTHON = '/usr/bin/python3';
/** A table cell: mean ± std over the seeds, and n (a ★ may come first). */
const MEAN_STD = /\d[\d.e+-]* ± \d[\d.e+-]* \(n = 2\)/;
const EXAMPLE = path.resolve('examples/torch-lisa');
/** The example's spec as `npm run sweep` sends it: with its folder as workdir (train.py is relative to it). */
const withWorkdir = (spec: string) => `workdir: ${JSON.stringify(EXAMPLE)}\n${spec}`;
const SWEEP = withWorkdir(fs.readFileSync(path.join(EXAMPLE, 'sweep.yaml'), 'utf8'));
// Commands are taken only with the admin token, or on a token-less loopback server from this site (the header).

function requireTorch(): void {
  const res = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(
      `${PYTHON} cannot import torch (${(res.stderr || res.error?.message || '').trim().split('\n').pop()}); ` +
        'install it with: sudo apt-get install -y python3-torch libopenblas0-pthread',
    );
}

async function shot(page: Page, info: TestInfo, name: string) {
  const dir = process.env.SHOTS_DIR ?? info.outputDir;
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(800); // ECharts draws its first frame after layout
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

async function dataTable(page: Page, chart: string): Promise<string[][]> {
  const fig = page.getByTestId(`chart-${chart}`);
  await expect(fig).toBeVisible();
  await fig.getByRole('button', { name: 'data' }).click();
  const table = page.getByTestId(`chart-${chart}-data`);
  await expect(table).toBeVisible();
  const head = await table.locator('thead th').allInnerTexts();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  return [head, ...rows];
}

interface Event {
  type: string;
  step?: number;
  resumedFrom?: number;
  summary?: Record<string, number>;
}

const eventsOf = (dir: string): Event[] =>
  fs
    .readFileSync(path.join(dir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);

test.describe('the PyTorch LISA example as a command sweep', () => {
  test.describe.configure({ mode: 'serial' });
  let server: OwnServer;
  let sweepId = '';
  let runs: (RunJson & { seed?: number })[] = [];

  test.beforeAll(async () => {
    test.setTimeout(600_000);
    requireTorch();
    server = await ownServer({ LAYERLAB_SLOTS: '2' });
    const t0 = Date.now();
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', 'x-layerlab-request': '1' },
      body: SWEEP,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    sweepId = ((await res.json()) as { id: string }).id;
    runs = await waitForSweep(server.url, sweepId, 560_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
    console.log(`torch-lisa sweep: ${runs.length} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s (2 slots)`);
    expect(runs.map((r) => `${r.kind}:${r.status}`)).toEqual(runs.map((r) => `${r.kind}:finished`));
    expect(runs).toHaveLength(10);
  });
  test.afterAll(async () => {
    await server?.kill('SIGTERM');
  });

  test('the ablation table has every γ × K cell as mean ± std over 2 seeds, from the runs own reports', async ({
    page,
  }, info) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/table`);
    const cells = page.getByTestId('ablation-table').locator('td.abl-cell');
    await expect(cells).toHaveCount(4);
    for (const text of await cells.allInnerTexts()) expect(text).toMatch(MEAN_STD);
    const baselines = page.getByTestId('baseline-table').locator('td.abl-cell');
    await expect(baselines).toHaveCount(1);
    for (const text of await baselines.allInnerTexts()) expect(text).toMatch(MEAN_STD);
    await expect(page.getByTestId('table-caption')).toContainText('Optimizer state at LISA switches: keep.');
    await shot(page, info, 'torch-lisa-table');

    // Each cell's values are the final eval losses the scripts reported in their `finished` summaries.
    const table = (await (await fetch(`${server.url}/api/sweeps/${sweepId}/table`)).json()) as {
      cells: Row[];
      baselines: Row[];
    };
    const reported = (id: string) => {
      const run = runs.find((r) => r.id === id)!;
      return eventsOf(run.dir!).find((e) => e.type === 'finished')!.summary!['final/eval_loss'];
    };
    const lines: string[] = [];
    for (const row of [...table.cells, ...table.baselines]) {
      expect(row.values).toHaveLength(2);
      row.values.forEach((v, i) => expect(v).toBeCloseTo(reported(row.runIds[i]), 9));
      const mean = (row.values[0] + row.values[1]) / 2;
      expect(row.stats.mean).toBeCloseTo(mean, 9);
      expect(row.stats.std).toBeCloseTo(Math.abs(row.values[0] - row.values[1]) / Math.SQRT2, 9);
      const name = row.method === 'lisa' ? `LISA γ=${row.gamma} K=${row.interval}` : row.label;
      lines.push(`${name}: ${row.stats.mean.toFixed(4)} ± ${row.stats.std.toFixed(4)} (n = ${row.stats.n})`);
    }
    console.log(`torch-lisa final eval/loss:\n${lines.join('\n')}`);
  });

  test('Figure 2 shows ‖ΔW‖ per layer group for full and each LISA setting', async ({ page }, info) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/norms?q=update`);
    await expect(page.getByTestId('lisa-timeline')).toBeVisible();
    await shot(page, info, 'torch-lisa-norms');
    const [head, ...rows] = await dataTable(page, 'figure2');
    expect(head).toEqual(['layer group', 'Full', 'LISA γ=1 K=2', 'LISA γ=1 K=5', 'LISA γ=2 K=2', 'LISA γ=2 K=5']);
    const layers = rows.map((r) => r[0]);
    expect(layers).toEqual(['embed', 'pos', ...[0, 1, 2, 3, 4, 5].map((i) => `block ${i}`), 'final LN', 'head']);
    // Every group moved (the draws are fixed by the seeds: each block is drawn under one seed or both).
    for (const r of rows) for (const v of r.slice(1)) expect(Number(v), `${r[0]}: ${v}`).toBeGreaterThan(0);
    // The embedding trains at every step under both methods; a LISA block only in its periods: less than full.
    const blocks = rows.filter((r) => r[0].startsWith('block'));
    const mean = (col: number) => blocks.reduce((s, r) => s + Number(r[col]), 0) / blocks.length;
    expect(mean(2)).toBeLessThan(mean(1));
    await expect(page.getByTestId('chart-norm-heatmap')).toBeVisible();
  });

  test('a PyTorch LISA run shows its timeline: one period per K steps, γ blocks each', async ({ page }) => {
    const lisa = runs.find((r) => r.kind === 'lisa' && r.interval === 5 && r.gamma === 2)!;
    await page.goto(`${server.url}/runs/${lisa.id}`);
    await expect(page.getByTestId('run-status')).toHaveText('finished');
    const [head, ...rows] = await dataTable(page, 'lisa-timeline');
    expect(head).toEqual(['period', 'first step', 'active blocks', 'optimizer state reset']);
    expect(rows.map((r) => Number(r[1]))).toEqual([1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56]);
    const [, ...counts] = await dataTable(page, 'lisa-counts');
    expect(counts.reduce((s, r) => s + Number(r[1]), 0)).toBe(12 * 2);
  });
});

/** The fields of a row of GET /api/sweeps/:id/table that the test reads. */
interface Row {
  method: string;
  label: string;
  gamma: number | null;
  interval: number | null;
  runIds: string[];
  values: number[];
  stats: { n: number; mean: number; std: number };
}

/** The pid of the program a command run started (not its wrapper): found by the run id in its environment. */
function programPid(runId: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (/python/.test(argv[0]) && argv[1] === 'train.py' && env.includes(`LAYERLAB_RUN_ID=${runId}`))
        return Number(entry);
    } catch {
      /* gone, or not ours */
    }
  }
  return null;
}

const KILL_SPEC = withWorkdir(`name: torch-lisa-kill
program: train.py
train: { steps: 600, lr: 3.0e-3, checkpoint_every: 40, eval_every: 100, norms_every: 50 }
parameters:
  lisa_activated_layers: { value: 2 }
  lisa_interval_steps: { value: 10 }
seeds: [1]
`);

test('a SIGKILLed command run resumes from its page and stores every step once', async ({ page }) => {
  test.setTimeout(300_000);
  requireTorch();
  const server = await ownServer();
  try {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', 'x-layerlab-request': '1' },
      body: KILL_SPEC,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const runId = ((await res.json()) as { runs: { id: string }[] }).runs[0].id;
    const info = async () =>
      (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as {
        status: string;
        lastStep: number | null;
        dir: string;
      };

    await page.goto(`${server.url}/runs/${runId}`);
    const status = page.getByTestId('run-status');
    await expect(status).toHaveText('running', { timeout: 120_000 });
    await expect.poll(async () => (await info()).lastStep ?? 0, { timeout: 120_000 }).toBeGreaterThan(100);
    const pid = programPid(runId);
    expect(pid, 'the run’s python process').not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    await expect(status).toHaveText('failed', { timeout: 60_000 });
    const killedAt = (await info()).lastStep!;
    expect(killedAt).toBeLessThan(600);

    await page.getByTestId('run-resume').click();
    await expect(status).toHaveText('finished', { timeout: 240_000 });
    const run = await info();
    expect(run.lastStep).toBe(600);
    // The second start was told it resumes (LAYERLAB_RESUME=1) and found its checkpoint in its run folder.
    const starts = eventsOf(run.dir).filter((e) => e.type === 'run_started');
    expect(starts).toHaveLength(2);
    expect(starts[1].resumedFrom).toBeGreaterThanOrEqual(killedAt);
    const resumed = /resuming after step (\d+)/.exec(fs.readFileSync(path.join(run.dir, 'stderr.log'), 'utf8'));
    expect(resumed, 'the script says it resumed from its checkpoint').not.toBeNull();

    const { buckets } = (await (
      await fetch(`${server.url}/api/runs/${runId}/series?key=train/loss&points=10000`)
    ).json()) as { buckets: { firstStep: number; lastStep: number; count: number }[] };
    expect(buckets.map((b) => b.firstStep)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(buckets.every((b) => b.count === 1 && b.lastStep === b.firstStep)).toBe(true);
    console.log(
      `kill/resume: killed at step ${killedAt}, resumed from the checkpoint at step ${resumed![1]}, ` +
        `${buckets.length} steps stored, each once`,
    );
  } finally {
    await server.kill('SIGTERM');
  }
});
