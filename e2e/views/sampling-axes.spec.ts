/**
 * The sampling rule and granularity as sweep axes on a real nano sweep: uniform vs importance × block vs module,
 * two seeds, with full and LoRA. The table lays the four cells out as sampling × granularity with n = 2 and a
 * seed-paired Δ with its interval against each baseline; the run page of an importance, module-granularity run
 * draws its modules, how often each was drawn and the scores behind each draw.
 */
import { expect, test, type Page } from '@playwright/test';
import { ownServer, type OwnServer } from '../support/server';
import { ENDED, waitForSweep, type RunJson } from '../support/specs';

let server: OwnServer;
let sweepId = '';
let runs: RunJson[] = [];

const YAML = `name: sampling-axes-nano
model: { preset: nano }
data: { preset: instruct }
pretrain: { steps: 10, batch: 8 }
train: { steps: 9, batch: 4, seq: 16, eval_every: 9, eval_records: 16, norms_every: 3, checkpoint_every: 9 }
parameters:
  gamma:       { values: [2] }
  interval:    { values: [3] }
  sampling:    { values: [uniform, importance] }
  granularity: { values: [block, module] }
seeds: [1, 2]
baselines:
  - { method: full }
  - { method: lora, rank: 4, alpha: 8, lr: 3.0e-3 }
`;

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

test.describe('sampling rule × granularity sweep', () => {
  test.beforeAll(async () => {
    test.setTimeout(400_000);
    server = await ownServer({ LAYERLAB_SLOTS: '2' });
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: YAML,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    sweepId = ((await res.json()) as { id: string }).id;
    runs = await waitForSweep(server.url, sweepId, 380_000, (rs) => rs.every((r) => ENDED.includes(r.status)));
    expect(runs.map((r) => r.status).every((s) => s === 'finished')).toBe(true);
  });
  test.afterAll(async () => {
    await server?.kill('SIGTERM');
  });

  test('the table shows sampling × granularity, four cells with n = 2 and a paired Δ vs full and vs LoRA', async ({
    page,
  }) => {
    await page.goto(`${server.url}/sweeps/${sweepId}/table`);
    const grid = page.getByTestId('ablation-table');
    await expect(grid).toHaveAttribute('data-rows', 'sampling');
    await expect(grid).toHaveAttribute('data-cols', 'granularity');
    await expect(grid.locator('thead th')).toHaveText(['sampling \\ granularity', 'block', 'module']);
    await expect(grid.locator('tbody th')).toHaveText(['uniform', 'importance']);
    const cells = grid.locator('td.abl-cell');
    await expect(cells).toHaveCount(4);
    for (const sampling of ['uniform', 'importance'])
      for (const granularity of ['block', 'module']) {
        const cell = grid.locator(`td[data-sampling="${sampling}"][data-granularity="${granularity}"]`);
        await expect(cell).toContainText('(n = 2)');
      }
    for (const vs of ['vs-0', 'vs-1']) {
      await page.getByTestId(vs).click();
      const diffs = grid.getByTestId('cell-diff');
      await expect(diffs).toHaveCount(4);
      for (const text of await diffs.allInnerTexts()) expect(text).toMatch(/^Δ \S+ \[\S+, \S+\]( †)? \(n = 2\)$/);
    }
    await expect(page.getByTestId('vs-0')).toHaveText('vs Full');
    await expect(page.getByTestId('vs-1')).toHaveText('vs LoRA r=4 α=8');
    // The other layout: γ × K with one grid (facet) per sampling rule and granularity.
    await page.getByTestId('table-rows').selectOption('gamma');
    await page.getByTestId('table-cols').selectOption('interval');
    await expect(page.getByTestId('table-facet')).toHaveText([
      'sampling = uniform, granularity = block',
      'sampling = uniform, granularity = module',
      'sampling = importance, granularity = block',
      'sampling = importance, granularity = module',
    ]);
    const json = await (await fetch(`${server.url}/api/sweeps/${sweepId}/table`)).json();
    const labels = (json.cells as { label: string }[]).map((c) => c.label).sort();
    expect(labels).toEqual([
      'LISA γ=2 K=3',
      'LISA γ=2 K=3 importance',
      'LISA γ=2 K=3 importance modules',
      'LISA γ=2 K=3 modules',
    ]);
    for (const c of json.cells as { comparisons: { n: number; ci95: unknown }[] }[]) {
      expect(c.comparisons.map((x) => x.n)).toEqual([2, 2]);
      for (const x of c.comparisons) expect(x.ci95).not.toBeNull();
    }
  });

  test('the timeline of an importance run over modules shows modules, draws per module and the scores', async ({
    page,
  }) => {
    const detail = await Promise.all(
      runs
        .filter((r) => r.kind === 'lisa')
        .map(
          async (r) =>
            (await (await fetch(`${server.url}/api/runs/${r.id}`)).json()) as {
              id: string;
              config: Record<string, unknown>;
            },
        ),
    );
    const run = detail.find((r) => r.config.sampling === 'importance' && r.config.granularity === 'module')!;
    await page.goto(`${server.url}/runs/${run.id}`);
    await expect(page.getByTestId('lisa-timeline')).toHaveAttribute('data-granularity', 'module');
    const [head, ...periods] = await dataTable(page, 'lisa-timeline');
    expect(head).toEqual(['period', 'first step', 'drawn modules', 'optimizer state reset']);
    expect(periods).toHaveLength(3); // 9 steps, K = 3
    for (const p of periods) expect(p[2].split(', ')).toHaveLength(2);
    const [countsHead, ...counts] = await dataTable(page, 'lisa-counts');
    expect(countsHead).toEqual(['module', 'periods drawn', 'steps trainable']);
    expect(counts).toHaveLength(4 * 7);
    expect(counts.reduce((s, r) => s + Number(r[1]), 0)).toBe(3 * 2);
    const [scoresHead, ...scores] = await dataTable(page, 'lisa-scores');
    expect(scoresHead.slice(0, 3)).toEqual(['period', 'first step', 'block.0/ln']);
    expect(scores.map((r) => r[1])).toEqual(['4', '7']); // the first draw has no scores yet
    for (const r of scores) for (const v of r.slice(2)) expect(Number(v)).toBeGreaterThan(0);
  });
});
