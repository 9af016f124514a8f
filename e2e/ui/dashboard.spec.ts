/**
 * Views 1, 2, 6, 7 and Export HTML in a real browser against a server of its own: plan the nano demo
 * through the New-sweep form, launch it, watch the home page reach "finished" without reloading, then read
 * the robustness view's data table, the memory page, and download an HTML export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { quantityOf, spreadParts } from '../../lib/format';
import { ownServer, type OwnServer } from '../support/server';

test.describe.configure({ mode: 'serial' });

let server: OwnServer;
let sweepId = '';
test.beforeAll(async () => {
  server = await ownServer();
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

async function shot(page: Page, info: TestInfo, name: string) {
  const dir = process.env.SHOTS_DIR ?? info.outputDir;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

test('plan the nano demo through the form, launch it, and watch it finish on the home page', async ({ page }, info) => {
  test.setTimeout(300_000);
  await page.goto(`${server.url}/sweeps/new?p=nano-demo`);
  await expect(page.getByTestId('plan-run-count')).toHaveText('12');

  await page.getByLabel('Name', { exact: true }).fill('ui-demo');
  await page.getByLabel('Steps', { exact: true }).fill('10');
  await page.getByLabel('Seeds', { exact: true }).fill('1, 2');
  await page.getByLabel('γ values', { exact: true }).fill('1, 9');
  await expect(page.locator('#f-gammas-err')).toContainText('parameters.gamma.values[1]');
  await expect(page.getByTestId('launch')).toBeDisabled();
  await page.getByLabel('γ values', { exact: true }).fill('1, 2');
  await page.getByLabel('K values', { exact: true }).fill('2, 5');
  await expect(page.getByTestId('spec-yaml')).toHaveValue(/name: ui-demo/);
  await expect(page.getByTestId('spec-yaml')).toHaveValue(/gamma: \{ values: \[ 1, 2 \] \}/);
  await expect(page.locator('#f-gammas-err')).toHaveCount(0);
  await expect(page.getByTestId('plan-run-count')).toHaveText('12');
  await expect(page.getByTestId('launch')).toBeEnabled();
  await shot(page, info, 'new-sweep');

  await page.getByTestId('launch').click();
  await page.waitForURL(/\/sweeps\/[A-Za-z0-9_-]+$/);
  sweepId = new URL(page.url()).pathname.split('/').pop() ?? '';
  expect(sweepId).not.toBe('new');

  await page.goto(`${server.url}/`);
  const row = page.getByTestId(`sweep-${sweepId}`);
  await expect(row).toContainText('ui-demo');
  await expect(row.getByRole('link', { name: 'ui-demo' })).toHaveAttribute('href', `/sweeps/${sweepId}`);
  await expect(row.getByTestId('sweep-status-finished')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('runs').getByTestId('run-status').filter({ hasText: 'running' }).first()).toBeVisible({
    timeout: 60_000,
  });
  await shot(page, info, 'home-running');
  // No reload from here on: the page polls /api/home.
  await expect(row.getByTestId('sweep-status-finished')).toHaveText('13 finished', { timeout: 240_000 });
  await expect(row.getByTestId('sweep-status-running')).toHaveCount(0);
  await expect(page.getByTestId('runs').getByTestId('run-status').first()).toHaveText('finished');
});

test('the robustness view shows every configuration with n = 2 seeds in its data table', async ({ page }, info) => {
  await page.goto(`${server.url}/sweeps/${sweepId}/robustness?m=eval/loss`);
  await expect(page.getByTestId('verdict')).toBeVisible();
  await page.getByTestId('chart-spread').getByRole('button', { name: 'data' }).click();
  const rows = page.getByTestId('chart-spread-data').locator('tbody tr');
  await expect(rows).toHaveCount(6);
  for (const r of await rows.all()) await expect(r.locator('td').nth(1)).toHaveText('2');
  await expect(page.getByTestId('pair-table').locator('tbody tr')).toHaveCount(1);
  await page.getByTestId('chart-spread').getByRole('button', { name: 'chart' }).click();
  await shot(page, info, 'robustness');
});

test('Export HTML downloads one file with inline SVG and the table numbers', async ({ page, request }) => {
  await page.goto(`${server.url}/sweeps/${sweepId}/robustness?m=eval/loss`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-html').click()]);
  const html = fs.readFileSync(await download.path(), 'utf8');
  if (process.env.SHOTS_DIR) fs.writeFileSync(path.join(process.env.SHOTS_DIR, 'robustness-export.html'), html);
  expect(download.suggestedFilename()).toBe(`layerlab-sweeps-${sweepId}-robustness.html`);
  expect(html).toContain('<svg');
  expect(html).not.toContain('<script');

  const table = (await (await request.get(`${server.url}/api/sweeps/${sweepId}/table?metric=eval/loss`)).json()) as {
    cells: { stats: { n: number; mean: number; std: number } }[];
  };
  // The table prints a mean as every view does, to the decimals of its spread (lib/format); the robustness
  // view's own data table lists each configuration's mean to six significant digits.
  const mean = spreadParts(table.cells[0].stats, quantityOf('eval/loss'))?.mean ?? 'no mean';
  const printed = [mean, table.cells[0].stats.mean.toPrecision(6)];
  expect(
    printed.some((m) => html.includes(m)),
    `one of ${printed.join(', ')} in the export`,
  ).toBe(true);
  for (const view of ['table', 'norms', '']) {
    const res = await request.get(
      `${server.url}/api/export?path=${encodeURIComponent(`/sweeps/${sweepId}${view ? `/${view}` : ''}`)}`,
    );
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('attachment');
    const body = await res.text();
    expect(body).toContain('<svg');
    if (view === 'table') expect(body).toContain(mean);
  }
});

test('Export HTML exports the view on screen, after moving between the tabs too', async ({ page }) => {
  const titles: Record<string, string> = {
    table: 'γ × K ablation table',
    robustness: 'robustness over seeds',
    norms: 'weight norms per layer (paper Figure 2)',
    '': 'training curves',
  };
  const exported = async (view: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-html').click()]);
    const html = fs.readFileSync(await download.path(), 'utf8');
    const slug = view ? `-${view}` : '';
    expect(download.suggestedFilename(), `the export of /${view}`).toBe(`layerlab-sweeps-${sweepId}${slug}.html`);
    expect(html).toContain(`<title>ui-demo: ${titles[view]}</title>`);
  };
  // Straight to each view, and then from one tab to the next without a reload (the table first, whose export
  // a robustness page once downloaded).
  for (const view of ['robustness', 'norms', '']) {
    await page.goto(`${server.url}/sweeps/${sweepId}${view ? `/${view}` : ''}`);
    await exported(view);
  }
  await page.goto(`${server.url}/sweeps/${sweepId}/table`);
  await exported('table');
  for (const [tab, view] of [
    ['Robustness', 'robustness'],
    ['Norms', 'norms'],
    ['Curves', ''],
    ['Table', 'table'],
  ]) {
    await page.getByRole('navigation', { name: 'Sweep views' }).getByRole('link', { name: tab, exact: true }).click();
    await page.waitForURL(new RegExp(`/sweeps/${sweepId}${view ? `/${view}` : ''}(\\?.*)?$`));
    await exported(view);
  }
});

test('the memory page shows measured methods and the planner beside the paper', async ({ page }, info) => {
  await page.goto(`${server.url}/memory`);
  await page.getByTestId('chart-mem-measured').getByRole('button', { name: 'data' }).click();
  await expect(page.getByTestId('chart-mem-measured-data')).toContainText('LoRA r=4');
  await expect(page.getByTestId('planner-table')).toContainText('LLaMA-2-7B');
  await expect(page.getByTestId('planner-table')).toContainText('/ 59');
  await page.getByTestId('chart-mem-measured').getByRole('button', { name: 'chart' }).click();
  await shot(page, info, 'memory');
});

test('the empty home page launches the demo sweep with one click', async ({ page }) => {
  const fresh = await ownServer();
  try {
    await page.goto(`${fresh.url}/`);
    await expect(page.getByTestId('empty-state')).toContainText('npm run train -- --preset nano --stage pretrain');
    await expect(page.getByRole('link', { name: 'New sweep…' })).toHaveAttribute('href', '/sweeps/new');
    await page.getByRole('button', { name: 'Launch the demo sweep' }).click();
    await expect(page.getByTestId('sweeps').getByRole('link', { name: 'demo', exact: true })).toBeVisible();
    await expect(
      page
        .getByTestId('runs')
        .getByTestId('run-status')
        .filter({ hasText: /running|finished/ })
        .first(),
    ).toBeVisible({ timeout: 30_000 });
  } finally {
    await fresh.kill('SIGTERM');
  }
});
