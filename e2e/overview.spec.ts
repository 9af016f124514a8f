import { expect, test } from '@playwright/test';

test('the overview page (/) shows the empty state with the next steps', async ({ page }) => {
  await page.goto('/');
  const empty = page.getByTestId('empty-state');
  await expect(empty).toBeVisible();
  await expect(empty.getByRole('heading', { name: 'Welcome to LayerLab' })).toBeVisible();
  await expect(empty).toContainText('npm run train -- --preset nano --stage pretrain');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('the health endpoint reports version, data home, schema and backends', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.ok).toBe(true);
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(body.dataHome).toBe(process.env.E2E_HOME);
  expect(body.schema.applied).toBeGreaterThanOrEqual(1);
  expect(body.schema.latest).toBeTruthy();
  const names = body.backends.map((b: { name: string }) => b.name);
  expect(names).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  expect(body.backends.find((b: { name: string }) => b.name === 'cpu').available).toBe(true);
});
