/**
 * Views 3, 4, 5, 8 on one real nano demo sweep (launched once through the API, shared by every test):
 * the ablation table shows n = 2 per cell, Figure 2 has one series per method with a value for every layer
 * group, the CSV export downloads, the run page draws the LISA timeline, the curves have a seed band.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';
import { ENDED, nanoDemoYaml, waitForSweep, type RunJson } from '../support/specs';

let server: OwnServer;
let sweepId = '';
let runs: RunJson[] = [];

test.describe('sweep views on the nano demo', () => {
  test.beforeAll(async () => {
    test.setTimeout(300_000);
    server = await ownServer({ LAYERLAB_SLOTS: '2' });
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: nanoDemoYaml(),
    });
    expect(res.status).toBe(201);
    sweepId = ((await res.json()) as { id: string }).id;
    runs = await waitForSweep(server.url, sweepId, 280_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
    expect(runs.every((r) => r.status === 'finished')).toBe(true);
  });
  test.afterAll(async () => {
    await server?.kill('SIGTERM');
  });

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

  test('the ablation table shows every γ × K cell and baseline with n = 2, and the CSV export downloads', async ({
    page,
  }) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/table`);
    const cells = page.getByTestId('ablation-table').locator('td.abl-cell');
    await expect(cells).toHaveCount(4);
    for (const text of await cells.allInnerTexts()) expect(text).toContain('(n = 2)');
    const baselines = page.getByTestId('baseline-table').locator('td.abl-cell');
    await expect(baselines).toHaveCount(2);
    for (const text of await baselines.allInnerTexts()) expect(text).toContain('(n = 2)');
    await expect(page.locator('.abl-best')).toHaveCount(1);
    await expect(page.getByTestId('ablation-table')).toContainText('switches');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe(`${sweepId}-table.csv`);
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^method,label,gamma,interval,switches,steps,rank,alpha,variant,metric/);
    expect(csv).toHaveLength(1 + 4 + 2);
  });

  test('each cell shows its seed-paired Δ and 95% CI vs the chosen baseline; the caption and Markdown say how', async ({
    page,
  }) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/table`);
    const caption = page.getByTestId('table-caption');
    await expect(caption).toContainText('Full lr 0.0003; LoRA r=4 α=8 lr 0.003');
    await expect(caption).toContainText('Optimizer state at LISA switches: reset_blocks.');
    await expect(caption).toContainText('paired by seed');
    await expect(page.getByTestId('rank-stability-link')).toHaveAttribute(
      'href',
      `/sweeps/${sweepId}/robustness?m=eval%2Floss`,
    );

    // Two seeds per cell and baseline: a t interval on n = 2 pairs, "+x [lo, hi] (n = 2)", for every cell.
    const interval = /^Δ [+-]\d[\d.e+-]* \[-?\d[\d.e+-]*, -?\d[\d.e+-]*\]( †)? \(n = 2\)$/;
    const diffs = page.getByTestId('ablation-table').getByTestId('cell-diff');
    await expect(diffs).toHaveCount(4);
    await expect(page.getByTestId('vs-0')).toHaveAttribute('aria-checked', 'true');
    const vsFull = await diffs.allInnerTexts();
    for (const text of vsFull) expect(text.trim()).toMatch(interval);

    // The JSON API holds the same numbers: cell γ=1 K=2 minus Full, paired by seed.
    const table = (await (await fetch(`${server.url}/api/sweeps/${sweepId}/table`)).json()) as {
      cells: {
        gamma: number;
        interval: number;
        seeds: number[];
        values: number[];
        comparisons: { baseline: string; n: number; mean: number; ci95: [number, number] }[];
      }[];
      baselines: { label: string; seeds: number[]; values: number[] }[];
    };
    const cell = table.cells.find((c) => c.gamma === 1 && c.interval === 2)!;
    const full = table.baselines[0];
    const byHand = cell.seeds.map((s, i) => cell.values[i] - full.values[full.seeds.indexOf(s)]);
    expect(cell.comparisons[0]).toMatchObject({ baseline: 'Full', n: 2 });
    expect(cell.comparisons[0].mean).toBeCloseTo((byHand[0] + byHand[1]) / 2, 9);
    expect(cell.comparisons[0].ci95[0]).toBeLessThanOrEqual(cell.comparisons[0].mean);

    await page.getByTestId('vs-1').click();
    await expect(page).toHaveURL(/vs=LoRA/);
    await expect(page.getByTestId('vs-1')).toHaveAttribute('aria-checked', 'true');
    await expect.poll(async () => (await diffs.allInnerTexts()).join('|')).not.toBe(vsFull.join('|'));
    for (const text of await diffs.allInnerTexts()) expect(text.trim()).toMatch(interval);
    await page.getByTestId('vs-none').click();
    await expect(diffs).toHaveCount(0);

    const md = await (await fetch(`${server.url}/api/sweeps/${sweepId}/table?format=md`)).text();
    const lines = md.trim().split('\n');
    expect(lines[0]).toContain('Optimizer state at LISA switches: reset_blocks.');
    expect(lines[2]).toContain('| Δ vs Full (95% CI) | Δ vs LoRA r=4 α=8 (95% CI) |');
    const lisaRows = lines.filter((l) => l.startsWith('| LISA |'));
    expect(lisaRows).toHaveLength(4);
    for (const row of lisaRows)
      expect(row).toMatch(/\| [+-][\d.]+ \[-?[\d.]+, -?[\d.]+\]( †)? \(n = 2\) \| [+-][\d.]+ \[/);
  });

  test('Figure 2 draws one series per method with a value for every layer group', async ({ page }) => {
    for (const q of ['trainable', 'weight', 'update']) {
      await page.goto(`${server.url}/sweeps/${sweepId}/norms?q=${q}`);
      const [head, ...rows] = await dataTable(page, 'figure2');
      expect(head).toEqual([
        'layer group',
        'Full',
        'LoRA r=4',
        'LISA γ=1 K=2',
        'LISA γ=1 K=5',
        'LISA γ=2 K=2',
        'LISA γ=2 K=5',
      ]);
      const layers = rows.map((r) => r[0]);
      expect(layers[0]).toBe('embed');
      expect(layers.at(-1)).toBe('head');
      expect(layers).toEqual(expect.arrayContaining(['pos', 'block 0', 'final LN']));
      for (const r of rows)
        for (const v of r.slice(1)) expect(Number.isFinite(Number(v)), `${q} ${r[0]}: ${v}`).toBe(true);
    }
    await expect(page.getByTestId('chart-norm-heatmap')).toBeVisible();
    await expect(page.getByTestId('lisa-timeline')).toBeVisible();
  });

  test('the run page of a LISA run shows status, backend and its LISA timeline with every period', async ({ page }) => {
    const lisa = runs.find((r) => r.kind === 'lisa' && r.interval === 2)!;
    await page.goto(`${server.url}/runs/${lisa.id}`);
    await expect(page.getByTestId('run-status')).toHaveText('finished');
    await expect(page.getByTestId('run-backend')).toContainText('CPU only');
    const [head, ...rows] = await dataTable(page, 'lisa-timeline');
    expect(head).toEqual(['period', 'first step', 'active blocks', 'optimizer state reset']);
    expect(rows).toHaveLength(5); // 10 steps, K = 2
    const [, ...counts] = await dataTable(page, 'lisa-counts');
    expect(counts.reduce((s, r) => s + Number(r[1]), 0)).toBe(5 * (lisa.gamma ?? 0));
    await expect(page.getByTestId('run-checkpoints')).toBeVisible();
    await expect(page.getByTestId('run-cancel')).toHaveCount(0);
  });

  test('the curves view groups seeds into one mean per configuration, with the state in the URL', async ({ page }) => {
    await page.goto(`${server.url}/sweeps/${sweepId}?b=mm&t=1`);
    const [head, ...rows] = await dataTable(page, 'curves-train');
    expect(head).toEqual(['configuration', 'step', 'mean', 'band low', 'band high', 'seeds (n)']);
    expect(new Set(rows.map((r) => r[0])).size).toBe(6);
    expect(rows.every((r) => r[5] === '2')).toBe(true);
    await page.getByTestId('curves-band').selectOption('ci');
    await expect(page).toHaveURL(/b=ci/);
    await expect(page).toHaveURL(/t=1/);
    await page.goto(
      `${server.url}/compare?runs=${runs
        .filter((r) => r.kind === 'lisa')
        .slice(0, 2)
        .map((r) => r.id)
        .join(',')}`,
    );
    const [, ...cmp] = await dataTable(page, 'compare');
    expect(new Set(cmp.map((r) => r[0])).size).toBe(2);
  });

  test('a share link opens the view read-only in a fresh browser context, and refuses mutations', async ({
    browser,
  }) => {
    const made = await fetch(`${server.url}/api/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: `/sweeps/${sweepId}/table?m=eval/loss` }),
    });
    expect(made.status).toBe(201);
    const { url } = (await made.json()) as { url: string };

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await expect(page).toHaveURL(new RegExp(`/sweeps/${sweepId}/table`));
    const cells = page.getByTestId('ablation-table').locator('td.abl-cell');
    await expect(cells).toHaveCount(4);
    for (const text of await cells.allInnerTexts()) expect(text).toContain('(n = 2)');
    await expect(page.getByTestId('read-only-badge')).toBeVisible();
    await expect(page.getByTestId('share-button')).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'New sweep' })).toHaveCount(0);

    const runId = runs.find((r) => r.kind === 'lisa')!.id;
    const statuses = await page.evaluate(
      async ([sweep, run]) => {
        const post = (path: string, body = '{}') =>
          fetch(path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-layerlab-request': '1' },
            body,
          }).then((r) => r.status);
        return [
          await post(`/api/runs/${run}/cancel`),
          await post(`/api/runs/${run}/resume`),
          await post('/api/sweeps', 'name: x'),
          await post('/api/shares', JSON.stringify({ path: `/sweeps/${sweep}` })),
        ];
      },
      [sweepId, runId],
    );
    expect(statuses).toEqual([403, 403, 403, 403]);

    await page.goto(`${server.url}/`);
    await expect(page).toHaveURL(new RegExp(`/sweeps/${sweepId}/table`));
    await page.goto(`${server.url}/runs/${runId}`);
    await expect(page.getByTestId('run-cancel')).toHaveCount(0);
    await expect(page.getByTestId('run-resume')).toHaveCount(0);
    await context.close();
  });
});
