/**
 * Views never go stale: a run page left open while its run finishes shows the final eval point, the last
 * checkpoint and the closing log line without a reload. Unknown sweeps, runs and share links are real 404s.
 * The run is fed over the HTTP ingest door, so the test decides when it finishes.
 */
import { expect, test, type Page } from '@playwright/test';
import { encodeEvent, PROTOCOL_VERSION, type RunEvent } from '../../lib/protocol';
import { ownServer, type OwnServer } from '../support/server';

let server: OwnServer;

test.beforeAll(async () => {
  server = await ownServer();
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

type Body = Record<string, unknown> & { type: string };

async function post(run: { id: string; token: string }, seq0: number, bodies: Body[]): Promise<number> {
  const time = new Date().toISOString();
  const lines = bodies.map((b, i) => encodeEvent({ v: PROTOCOL_VERSION, seq: seq0 + i, time, ...b } as RunEvent));
  const res = await fetch(`${server.url}/api/runs/${run.id}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${run.token}`, 'content-type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return seq0 + bodies.length;
}

/** The chart's data table, numbers parsed. */
async function dataRows(page: Page, chart: string): Promise<(string | number)[][]> {
  const rows = await page
    .getByTestId(`chart-${chart}-data`)
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  return rows.map((r) => r.map((v) => (v !== '' && Number.isFinite(Number(v)) ? Number(v) : v)));
}

test('a run page left open while its run finishes shows the final eval, checkpoint and log line', async ({ page }) => {
  const reg = await fetch(`${server.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'live-ext', config: { preset: 'nano', batch: 4, seq: 16, steps: 20 } }),
  });
  expect(reg.status).toBe(201);
  const run = (await reg.json()) as { id: string; token: string };
  let seq = await post(run, 0, [
    {
      type: 'run_started',
      config: { steps: 20 },
      backend: { name: 'cpu', gpu: false, device: 'cpu' },
      model: { params: 1, trainableParams: 1, groups: ['embed'] },
    },
    ...Array.from({ length: 10 }, (_, i) => ({ type: 'metrics', step: i + 1, values: { 'train/loss': 5 - i / 10 } })),
    { type: 'eval', step: 10, values: { 'eval/loss': 4.5 } },
    { type: 'log', step: 10, level: 'info', message: 'halfway there' },
    ...[5, 10].map((step) => ({
      type: 'layer_norms',
      step,
      groups: {
        embed: { weight: 40, update: step / 100, trainable: 40 },
        head: { weight: 2, update: step / 10, trainable: 2 },
      },
    })),
  ]);

  await page.goto(`${server.url}/runs/${run.id}`);
  await expect(page.getByTestId('run-status')).toHaveText('running');
  await expect(page.getByTestId('run-log')).toContainText('halfway there');
  await page.getByTestId('chart-run-eval').getByRole('button', { name: 'data' }).click();
  await expect.poll(() => dataRows(page, 'run-eval')).toEqual([['live-ext', 10, 4.5]]);

  // Finish right after the log panel polled, so only a refetch on the status change can pick up the end.
  await page.waitForResponse((r) => r.url().includes(`/api/runs/${run.id}/logs`));
  seq = await post(run, seq, [
    ...Array.from({ length: 10 }, (_, i) => ({ type: 'metrics', step: i + 11, values: { 'train/loss': 4 - i / 10 } })),
    { type: 'eval', step: 20, values: { 'eval/loss': 3.25 } },
    { type: 'checkpoint', step: 20, path: 'ckpt/step-20', bytes: 3 * 2 ** 20 },
    { type: 'log', step: 20, level: 'info', message: 'finished: 20 steps' },
    {
      type: 'finished',
      step: 20,
      summary: { 'final/eval_loss': 3.25, 'peak/tensor_bytes': 3 * 2 ** 20, tokens_per_s: 1000 },
    },
  ]);
  await expect(page.getByTestId('run-status')).toHaveText('finished', { timeout: 5_000 });
  await expect(page.getByTestId('run-log')).toContainText('finished: 20 steps', { timeout: 5_000 });
  await expect(page.getByTestId('run-checkpoints')).toContainText('ckpt/step-20', { timeout: 5_000 });
  await expect
    .poll(() => dataRows(page, 'run-eval'), { timeout: 5_000 })
    .toEqual([
      ['live-ext', 10, 4.5],
      ['live-ext', 20, 3.25],
    ]);

  // The heat map shows ‖ΔW‖ by default, and per-row scaling is a URL-kept toggle that its caption names.
  const heat = page.getByTestId('chart-norm-heatmap');
  await expect(heat).toContainText('‖ΔW‖');
  await expect(heat).toContainText('one scale for all rows');
  await page.getByTestId('heatmap-per-row').click();
  await expect(page).toHaveURL(/[?&]n=1/);
  await expect(heat).toContainText('per row');
  await expect(page.getByTestId('heatmap-per-row')).toBeChecked();

  // Memory & speed: the finished run is measured in MiB with its batch × seq and n.
  await page.goto(`${server.url}/memory`);
  await page.getByTestId('chart-mem-measured').getByRole('button', { name: 'data' }).click();
  await expect
    .poll(() => dataRows(page, 'mem-measured'))
    .toContainEqual(['nano', '4 × 16', 'cpu', 'external', 1, 3, '—', 3, 3, '—', '—', 1000, '—']);
});

test('unknown sweeps, runs and share links answer 404 pages that say what was not found; the tab has an icon', async ({
  page,
}) => {
  for (const [path, what] of [
    ['/sweeps/s_nope', 'sweep s_nope'],
    ['/sweeps/s_nope/table', 'sweep s_nope'],
    ['/runs/r_nope', 'run r_nope'],
  ]) {
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`No ${what}`);
    await expect(page.getByText(/Loading/)).toHaveCount(0);
    await expect(page.getByRole('button', { name: /share/i })).toHaveCount(0);
    await expect(page.getByRole('link', { name: /sweeps & runs/i }).first()).toBeVisible();
  }
  const icon = await fetch(`${server.url}/icon.svg`);
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  await expect(page.locator('link[rel="icon"]')).not.toHaveCount(0);
  const res = await page.goto(`${server.url}/s/not-a-token`);
  expect(res?.status()).toBe(404);
  expect(res?.headers()['content-type']).toContain('text/html');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('No such share link');
});
