/**
 * The runs table, compare with its config diff, the run summary card, tags and notes, on one real nano demo sweep
 * (launched once through the API): filter and sort in the table and find the choice in the URL, tick runs and
 * compare them, tag a run and find it by its tag and in a share link. Screenshots go to SHOTS_DIR when set
 * (docs/screenshots/ is made that way).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { type OwnServer, ownServer } from '../support/server';
import { ENDED, nanoDemoYaml, type RunJson, waitForSweep } from '../support/specs';

let server: OwnServer;
let sweepId = '';
let runs: RunJson[] = [];

async function shot(page: Page, info: TestInfo, name: string) {
  const dir = process.env.SHOTS_DIR ?? info.outputDir;
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(500); // ECharts draws its first frame after layout
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(420_000);
  server = await ownServer({ LAYERLAB_SLOTS: '2' });
  const res = await fetch(`${server.url}/api/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: nanoDemoYaml(),
  });
  expect(res.status).toBe(201);
  sweepId = ((await res.json()) as { id: string }).id;
  runs = await waitForSweep(server.url, sweepId, 400_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
  expect(runs.every((r) => r.status === 'finished')).toBe(true);
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

test('the runs table filters and sorts on the server, keeps it in the URL, and picks runs to compare', async ({
  page,
}, info) => {
  await page.goto(`${server.url}/`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs table' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByTestId('runs-total')).toHaveText(`${runs.length} runs`);

  await page.getByTestId('runs-method').selectOption('lisa');
  await expect(page.getByTestId('runs-total')).toHaveText('8 runs');
  await page.getByTestId('sort-eval/loss:best').click(); // descending first
  await expect(page.getByTestId('runs-table').locator('th[aria-sort="descending"]')).toContainText('best eval/loss');
  await page.getByTestId('sort-eval/loss:best').click();
  await expect(page.getByTestId('runs-table').locator('th[aria-sort="ascending"]')).toContainText('best eval/loss');
  await expect(page).toHaveURL(/method=lisa/);
  await expect(page).toHaveURL(/sort=eval%2Floss%3Abest|sort=eval\/loss:best/);
  await expect(page).toHaveURL(/dir=asc/);
  const bestColumn = async () => {
    const header = await page.getByTestId('runs-table').locator('thead th').allInnerTexts();
    const i = header.findIndex((h) => h.startsWith('best eval/loss'));
    return page
      .getByTestId('runs-table')
      .locator('tbody tr')
      .evaluateAll((trs, col) => trs.map((tr) => Number(tr.querySelectorAll('td')[col]?.textContent)), i);
  };
  const ascending = await bestColumn();
  expect(ascending).toHaveLength(8);
  expect(ascending.every((v) => Number.isFinite(v))).toBe(true);
  expect([...ascending].sort((a, b) => a - b)).toEqual(ascending);

  // A config filter, then the same URL in a fresh page shows the same table.
  await page.getByTestId('runs-where').fill('config.gamma=2');
  await page.getByTestId('runs-where').press('Enter');
  await expect(page.getByTestId('runs-total')).toHaveText('4 runs');
  const url = page.url();
  const again = await page.context().newPage();
  await again.goto(url);
  await expect(again.getByTestId('runs-total')).toHaveText('4 runs');
  await again.close();

  // A bad filter names its problem.
  await page.getByTestId('runs-where').fill('config.gamma~2');
  await page.getByTestId('runs-where').press('Enter');
  await expect(page.locator('.view-error')).toContainText('invalid filter "config.gamma~2"');
  await page.getByTestId('runs-where').fill('');
  await page.getByTestId('runs-where').press('Enter');
  await expect(page).not.toHaveURL(/where=/);
  await page.getByTestId('runs-method').selectOption('');
  await expect(page.getByTestId('runs-total')).toHaveText(`${runs.length} runs`);

  // Tick a LISA run, full and LoRA of seed 1, and compare them.
  const pick = ['lisa', 'full', 'lora'].map(
    (kind) => runs.find((r) => r.kind === kind && (kind !== 'lisa' || r.gamma === 2))?.id ?? '',
  );
  for (const id of pick) {
    await page.getByTestId(`select-${id}`).click();
    await expect(page.getByTestId(`select-${id}`)).toBeChecked();
  }
  await expect(page).toHaveURL(new RegExp(`sel=${pick.join('(%2C|,)')}`));
  await shot(page, info, 'runs-table');
  await page.getByTestId('compare-selected').click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?runs=${pick.join('(%2C|,)')}`));
  const diff = page.getByTestId('config-diff');
  await expect(diff).toBeVisible();
  await expect(diff.getByTestId('diff-method')).toContainText('lisa');
  await expect(diff.getByTestId('diff-method')).toContainText('full');
  await expect(diff.getByTestId('diff-method')).toContainText('lora');
  // Keys every run shares (the preset, the steps) are not listed.
  await expect(diff.getByTestId('diff-preset')).toHaveCount(0);
  await expect(diff.getByTestId('diff-steps')).toHaveCount(0);

  // Two metrics in one chart: the legend names each run's line of each.
  const evalLoss = page.getByTestId('compare-metrics').getByLabel('eval/loss', { exact: true });
  await evalLoss.click();
  await expect(evalLoss).toBeChecked();
  await expect(page).toHaveURL(/key=train%2Floss%2Ceval%2Floss|key=train\/loss,eval\/loss/);
  await page.getByTestId('chart-compare').getByRole('button', { name: 'data' }).click();
  const lines = await page.getByTestId('chart-compare-data').locator('tbody tr td:first-child').allInnerTexts();
  expect(new Set(lines).size).toBe(6);
  expect(lines.some((l) => l.endsWith('· eval/loss'))).toBe(true);
  await page.getByTestId('chart-compare').getByRole('button', { name: 'chart' }).click();
  await shot(page, info, 'compare');
});

test('the sweep page ticks runs to compare', async ({ page }) => {
  await page.goto(`${server.url}/sweeps/${sweepId}`);
  const lisa = runs.filter((r) => r.kind === 'lisa').slice(0, 2);
  for (const r of lisa) {
    await page.getByTestId('sweep-runs').getByTestId(`select-${r.id}`).click();
    await expect(page.getByTestId('sweep-runs').getByTestId(`select-${r.id}`)).toBeChecked();
  }
  await page.getByTestId('compare-selected').click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?runs=${lisa.map((r) => r.id).join('(%2C|,)')}`));
  await expect(page.getByTestId('config-diff').getByTestId('diff-method')).toHaveCount(0);
});

test('the run page’s summary card, and tags and notes found in the table and seen through a share link', async ({
  page,
  browser,
}, info) => {
  const run = runs.find((r) => r.kind === 'full') ?? runs[0];
  await page.goto(`${server.url}/runs/${run.id}`);
  const card = page.getByTestId('run-card');
  await expect(card.getByTestId('card-final')).toHaveText(/^\d+(\.\d+)?step \d+$/);
  await expect(card.getByTestId('card-best')).toHaveText(/^\d+(\.\d+)?step \d+$/);
  await expect(card.getByTestId('card-tps')).toHaveText(/^[\d,]+$/);
  await expect(card.getByTestId('card-mem')).toHaveText(/^\d+\.\d MiB$/);
  await expect(card.getByTestId('card-wall')).toHaveText(/^\d+(m \d+)?s$/);
  await expect(card.getByTestId('card-rank')).toHaveText(/^#[1-6] of 6.+: final eval\/loss [\d.]+ \(n = 2\)$/);

  await page.getByTestId('annotations-edit').click();
  await page.getByTestId('tags-input').fill('Baseline, keep');
  await page.getByTestId('note-input').fill('the reference for the LISA cells');
  await page.getByTestId('annotations-save').click();
  const notes = page.getByTestId('run-annotations');
  await expect(notes.getByTestId('tag')).toHaveText(['baseline', 'keep']);
  await expect(notes.getByTestId('note')).toHaveText('the reference for the LISA cells');
  await shot(page, info, 'run-card');

  await notes.getByTestId('tag').first().click();
  await expect(page).toHaveURL(/\/runs\?tags=baseline/);
  await expect(page.getByTestId('runs-total')).toHaveText('1 run');
  await expect(page.getByTestId(`runs-row-${run.id}`)).toBeVisible();
  await page.goto(`${server.url}/runs?q=reference%20for`);
  await expect(page.getByTestId('runs-total')).toHaveText('1 run');

  // A share link of the run shows the tags and note, without the edit button.
  const res = await fetch(`${server.url}/api/shares`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: `/runs/${run.id}` }),
  });
  const { url } = (await res.json()) as { url: string };
  const viewer = await browser.newContext();
  const shared = await viewer.newPage();
  await shared.goto(url.startsWith('http') ? url : `${server.url}${url}`);
  await expect(shared.getByTestId('run-annotations').getByTestId('tag')).toHaveText(['baseline', 'keep']);
  await expect(shared.getByTestId('run-annotations').getByTestId('note')).toHaveText(
    'the reference for the LISA cells',
  );
  await expect(shared.getByTestId('annotations-edit')).toHaveCount(0);
  await expect(shared.getByTestId('run-card').getByTestId('card-rank')).toContainText('of 6');
  await viewer.close();
});
