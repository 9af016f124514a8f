// The curves and Figure-2 views show their charts from the page's HTML, before the app's scripts run: the server draws
// them as SVG for the viewer's URL state, only for a viewer who may read the sweep, and the browser's ECharts
// replaces the picture once it has drawn.
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../db';
import { DB_FILE } from '../../lib/data-home';
import { registerExternalRun } from '../../lib/ingest/http';
import { EventBuilder, insertSweep } from '../../lib/ingest/testing';
import { ingestEvents } from '../../lib/ingest/write';
import type { RunEvent } from '../../lib/protocol';
import { ownServer, type OwnServer } from '../support/server';

const ADMIN = 'e2e-first-paint-admin-token-0123';
const admin = { authorization: `Bearer ${ADMIN}` };
const SWEEP = 'first-paint';
const OTHER = 'first-paint-other';
const GROUPS = ['embed', 'block.0', 'block.1', 'head'];
let server: OwnServer;
let otherRun = '';

/** Two LISA configurations × two seeds and a full run, 60 steps with losses, evals and layer norms. */
function seed(home: string): void {
  const conn = openDatabase(path.join(home, DB_FILE));
  insertSweep(conn.sqlite, SWEEP, 'first paint');
  insertSweep(conn.sqlite, OTHER, 'another sweep');
  const configs = [
    { kind: 'lisa' as const, config: { method: 'lisa', gamma: 1, interval: 5 } },
    { kind: 'lisa' as const, config: { method: 'lisa', gamma: 2, interval: 5 } },
    { kind: 'full' as const, config: { method: 'full' } },
  ];
  for (const { kind, config } of configs) {
    for (const s of [1, 2]) {
      const full = { ...config, seed: s, steps: 60 };
      const { id } = registerExternalRun(conn.db, { sweepId: SWEEP, kind, label: `${kind} ${s}`, config: full });
      const b = new EventBuilder();
      const events: RunEvent[] = [b.started(GROUPS, full)];
      for (let step = 1; step <= 60; step++) {
        events.push(b.metrics(step, { 'train/loss': 3 / Math.sqrt(step) + s / 100 }));
        if (step % 10 === 0) {
          events.push(b.eval(step, { 'eval/loss': 3.2 / Math.sqrt(step) }));
          const norms = Object.fromEntries(
            GROUPS.map((g, i) => [g, { weight: 10 + i, update: step / 100, trainable: 10 + i, grad: 0.1 }]),
          );
          events.push(b.norms(step, norms));
        }
      }
      events.push(b.finished(60, {}));
      ingestEvents(conn.sqlite, id, events);
    }
  }
  otherRun = registerExternalRun(conn.db, { sweepId: OTHER, kind: 'full', label: 'elsewhere' }).id;
  conn.sqlite.close();
}

test.beforeAll(async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-first-paint-'));
  seed(home);
  server = await ownServer({ LAYERLAB_HOME: home, LAYERLAB_ADMIN_TOKEN: ADMIN });
});
test.afterAll(async () => {
  await server?.kill('SIGTERM');
});

const previews = (html: string) => html.match(/data-drawn="preview"/g)?.length ?? 0;

test('the curves and Figure-2 pages carry their charts as SVG for a reader of the sweep', async () => {
  const curves = await (await fetch(`${server.url}/sweeps/${SWEEP}`, { headers: admin })).text();
  expect(previews(curves)).toBe(2);
  expect(curves).toContain('<svg');
  expect(curves).toContain('LISA γ=2 K=5'); // a configuration's label, in the legend of the picture
  // The metrics named in the URL are the ones drawn.
  const swapped = await (
    await fetch(`${server.url}/sweeps/${SWEEP}?m=eval/loss&e=train/loss`, { headers: admin })
  ).text();
  expect(previews(swapped)).toBe(2);
  const norms = await (await fetch(`${server.url}/sweeps/${SWEEP}/norms`, { headers: admin })).text();
  expect(previews(norms)).toBe(1);
  // A metric no run recorded draws nothing (the view says so once its data arrive).
  const none = await (await fetch(`${server.url}/sweeps/${SWEEP}?m=nothing/here`, { headers: admin })).text();
  expect(previews(none)).toBe(1);
});

test('a share link that does not cover the sweep gets no picture and no data of it', async () => {
  const created = await fetch(`${server.url}/api/shares`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ path: `/runs/${otherRun}` }),
  });
  expect(created.status).toBe(201);
  const share = (await created.json()) as { url: string };
  const open = await fetch(share.url, { redirect: 'manual' });
  const cookie = (open.headers.getSetCookie().find((c) => c.startsWith('ll_share=')) ?? '').split(';')[0];
  expect(cookie).toBeTruthy();
  for (const view of ['', '/norms']) {
    const res = await fetch(`${server.url}/sweeps/${SWEEP}${view}`, { headers: { cookie }, redirect: 'manual' });
    const html = await res.text();
    expect(previews(html)).toBe(0);
    expect(html).not.toContain('LISA γ=2 K=5');
    expect(html).not.toContain('lisa 1'); // a run's label
  }
});

test("before the app's scripts load the chart is on screen; then ECharts takes over and the picture goes", async ({
  browser,
}) => {
  const res = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: ADMIN }),
  });
  const [name, value] = (res.headers.getSetCookie()[0] ?? '').split(';')[0].split('=');
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await ctx.addCookies([{ name, value, url: server.url }]);

  // The app's script chunks never arrive: only the HTML (and its inline scripts) is there.
  const still = await ctx.newPage();
  await still.route('**/_next/static/chunks/*.js', (route) => route.abort());
  await still.goto(`${server.url}/sweeps/${SWEEP}/norms`);
  const picture = still.getByTestId('chart-figure2').locator('.chart-preview svg');
  await expect(picture).toBeVisible();
  expect((await picture.boundingBox())?.height).toBeGreaterThan(100);
  await expect(still.getByTestId('chart-figure2').locator('canvas')).toHaveCount(0);
  await still.close();

  const page = await ctx.newPage();
  await page.goto(`${server.url}/sweeps/${SWEEP}`);
  const chart = page.getByTestId('chart-curves-train');
  await expect(chart.locator('[data-drawn="true"]')).toBeAttached();
  await expect(chart.locator('.chart-preview')).toHaveCount(0);
  await expect(chart.locator('canvas').first()).toBeVisible();
  await ctx.close();
});
