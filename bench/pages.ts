/**
 * Pages benchmark: time from navigation start to a drawn chart, measured in the system Chromium with
 * Playwright against a real `next start` server (the production build in .next; built first when missing).
 *
 *   npx tsx bench/pages.ts [--quick] [--loads N]
 *
 * Data goes through the real write path: the sweep (100 runs × 5,000 steps, 25 configs × 4 seeds) and the
 * Figure-2 sweep (20 runs with layer_norms) are registered with registerExternalRun and fed to ingestEvents
 * straight into the server's SQLite file before the server starts; the live run is registered over
 * POST /api/runs and fed over POST /api/runs/:id/events while the page loads.
 *
 * "Drawn" is the moment the chart container gets data-drawn="true" (right after ECharts' setOption), seen by
 * a MutationObserver installed before any page script runs; "painted" is two animation frames later.
 * Each load is a fresh browser context (cold HTTP cache, as a first visit). Medians of the measured loads.
 * Profile: the browser's resource timing of the document, the scripts and each /api call, plus the same
 * API calls timed from Node (server time without the browser).
 *
 * Prints each figure beside its goal and writes bench/results/pages-<date>[-quick].json.
 */
import { chromium, type Browser } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../db';
import { ownServer, type OwnServer } from '../e2e/support/server';
import { DB_FILE } from '../lib/data-home';
import { ensureBuild } from './lib/next-build';
import { liveRun, NORMS, seedCurvesSweep, seedNormsSweep, SWEEP } from './lib/page-data';
import { median, table } from './lib/stats';

const quick = process.argv.includes('--quick');
const loadsArg = process.argv.indexOf('--loads');
const LOADS = loadsArg > 0 ? Math.max(1, Number(process.argv[loadsArg + 1]) || 1) : quick ? 3 : 7;
const SWEEP_TRAIN = 'chart-curves-train';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  op?: '>=' | '<=';
  target?: number;
  ok?: boolean;
  note?: string;
}
const figures: Figure[] = [];
function record(
  name: string,
  value: number,
  unit: string,
  goal?: { op: '>=' | '<='; target: number },
  note?: string,
): void {
  const ok = goal ? (goal.op === '>=' ? value >= goal.target : value <= goal.target) : undefined;
  figures.push({
    name,
    value,
    unit,
    ...(goal
      ? { goal: `${goal.op} ${goal.target.toLocaleString('en')} ${unit}`, op: goal.op, target: goal.target, ok }
      : {}),
    note,
  });
  console.error(`  ${name}: ${value.toLocaleString('en', { maximumFractionDigits: 1 })} ${unit}`);
}

// ------------------------------------------------------------------------------------------ measuring

/**
 * Installed before any page script. For each chart (its figure's test id) it records `visible`: the first moment
 * the chart shows a picture, either the server's SVG (data-drawn="preview", parsed from the HTML) or ECharts'
 * drawing; `drawn`: when ECharts has drawn it (data-drawn="true", right after setOption: the chart is then
 * interactive); and two animation frames after each (`visiblePainted`, `painted`).
 */
const OBSERVER = `(() => {
  const w = window;
  w.__drawn = {};
  const later = (rec, key) =>
    requestAnimationFrame(() => requestAnimationFrame(() => { rec[key] = performance.now(); }));
  const look = () => {
    for (const el of document.querySelectorAll('[data-drawn]')) {
      const fig = el.closest('[data-testid^="chart-"]');
      const id = fig ? fig.getAttribute('data-testid') : 'chart';
      let rec = w.__drawn[id];
      if (!rec) {
        rec = { visible: performance.now(), visiblePainted: null, drawn: null, painted: null };
        w.__drawn[id] = rec;
        later(rec, 'visiblePainted');
      }
      if (rec.drawn === null && el.getAttribute('data-drawn') === 'true') {
        rec.drawn = performance.now();
        later(rec, 'painted');
      }
    }
  };
  new MutationObserver(look).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn'],
  });
})();`;

interface Resource {
  path: string;
  start: number;
  end: number;
  bytes: number;
}
interface Load {
  drawn: Record<string, { visible: number; visiblePainted: number | null; drawn: number; painted: number | null }>;
  ttfb: number;
  domContentLoaded: number;
  scriptsEnd: number;
  api: Resource[];
}

async function loadOnce(browser: Browser, url: string, charts: string[]): Promise<Load> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript(OBSERVER);
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    await page.waitForFunction(
      (ids: string[]) => {
        const d = (window as unknown as { __drawn: Record<string, { painted: number | null }> }).__drawn;
        return ids.every((id) => d?.[id]?.painted != null); // ECharts has drawn (the preview, if any, came first)
      },
      charts,
      { timeout: 60_000, polling: 50 },
    );
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const scripts = res.filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
      return {
        drawn: (window as unknown as { __drawn: Load['drawn'] }).__drawn,
        ttfb: nav.responseStart,
        domContentLoaded: nav.domContentLoadedEventEnd,
        scriptsEnd: Math.max(0, ...scripts.map((r) => r.responseEnd)),
        api: res
          .filter((r) => r.name.includes('/api/'))
          .map((r) => ({
            path: new URL(r.name).pathname + new URL(r.name).search,
            start: r.startTime,
            end: r.responseEnd,
            bytes: r.encodedBodySize,
          })),
      };
    });
  } finally {
    await ctx.close();
  }
}

/** Times of the page's API calls fetched from Node (no browser): median ms and the body size. */
async function serverTimes(
  base: string,
  paths: string[],
  reps = 5,
): Promise<{ path: string; ms: number; bytes: number }[]> {
  const out: { path: string; ms: number; bytes: number }[] = [];
  for (const p of paths) {
    const ms: number[] = [];
    let bytes = 0;
    await (await fetch(base + p)).arrayBuffer();
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const body = await (await fetch(base + p)).arrayBuffer();
      ms.push(performance.now() - t0);
      bytes = body.byteLength;
    }
    out.push({ path: p, ms: median(ms), bytes });
  }
  return out;
}

interface PageResult {
  page: string;
  url: string;
  loads: Load[];
  /** The warm-up load: the first visit since the server started (nothing cached for this page yet). */
  firstVisit: Load;
  /** First picture of each chart (server SVG or ECharts), median. */
  visibleMs: Record<string, number>;
  drawnMs: Record<string, number>;
  paintedMs: Record<string, number>;
  profile: {
    ttfbMs: number;
    scriptsEndMs: number;
    domContentLoadedMs: number;
    api: { path: string; startMs: number; endMs: number; kB: number }[];
    lastApiEndMs: number;
    clientAfterApiMs: number;
    server: { path: string; ms: number; kB: number }[];
  };
}

async function measurePage(
  browser: Browser,
  server: OwnServer,
  name: string,
  pagePath: string,
  charts: string[],
): Promise<PageResult> {
  console.error(`${name}: ${pagePath} (1 warm-up + ${LOADS} loads)…`);
  // Warm-up: server route compilation caches, SQLite page cache, and the server's drawn pictures of the page's
  // charts (a revisit is served from them: app/components/page-data.ts); reported as the first visit.
  const firstVisit = await loadOnce(browser, server.url + pagePath, charts);
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await loadOnce(browser, server.url + pagePath, charts));
  const med = (f: (l: Load) => number) => median(loads.map(f));
  const visibleMs = Object.fromEntries(charts.map((c) => [c, med((l) => l.drawn[c].visible)]));
  const drawnMs = Object.fromEntries(charts.map((c) => [c, med((l) => l.drawn[c].drawn)]));
  const paintedMs = Object.fromEntries(charts.map((c) => [c, med((l) => l.drawn[c].painted ?? Number.NaN)]));
  // API calls of the median-ish load (the one whose first chart is closest to the median).
  const first = charts[0];
  const typical = [...loads].sort(
    (a, b) => Math.abs(a.drawn[first].drawn - drawnMs[first]) - Math.abs(b.drawn[first].drawn - drawnMs[first]),
  )[0];
  const lastDrawn = Math.max(...charts.map((c) => typical.drawn[c].drawn));
  const before = typical.api.filter((r) => r.end <= lastDrawn);
  const lastApiEnd = Math.max(0, ...before.map((r) => r.end));
  const paths = [...new Set(before.map((r) => r.path))];
  const fromNode = await serverTimes(server.url, paths);
  return {
    page: name,
    url: pagePath,
    loads,
    firstVisit,
    visibleMs,
    drawnMs,
    paintedMs,
    profile: {
      ttfbMs: med((l) => l.ttfb),
      scriptsEndMs: med((l) => l.scriptsEnd),
      domContentLoadedMs: med((l) => l.domContentLoaded),
      api: before.map((r) => ({ path: r.path, startMs: r.start, endMs: r.end, kB: r.bytes / 1024 })),
      lastApiEndMs: lastApiEnd,
      clientAfterApiMs: lastDrawn - lastApiEnd,
      server: fromNode.map((s) => ({ path: s.path, ms: s.ms, kB: s.bytes / 1024 })),
    },
  };
}

// --------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(process.argv[1]), '..');
  process.chdir(root);
  ensureBuild(root);
  const buildAge = (Date.now() - fs.statSync(path.join(root, '.next', 'BUILD_ID')).mtimeMs) / 60_000;

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-pages-'));
  console.error(`seeding ${home} through ingestEvents…`);
  const conn = openDatabase(path.join(home, DB_FILE));
  let t0 = performance.now();
  const curves = seedCurvesSweep(conn);
  const seedS = (performance.now() - t0) / 1000;
  console.error(`  ${curves.runs} runs, ${curves.points.toLocaleString('en')} points in ${seedS.toFixed(1)} s`);
  t0 = performance.now();
  const norms = seedNormsSweep(conn);
  console.error(
    `  ${norms.runs} runs, ${norms.points.toLocaleString('en')} points (norm rows + metrics) in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  conn.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  conn.sqlite.close();

  let server: OwnServer | undefined;
  let browser: Browser | undefined;
  const results: PageResult[] = [];
  let live: { id: string; stop(): Promise<number> } | undefined;
  try {
    server = await ownServer({ LAYERLAB_HOME: home });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

    const sweep = await measurePage(browser, server, 'sweep page, 100 runs × 5,000 steps', `/sweeps/${SWEEP}`, [
      'chart-curves-train',
      'chart-curves-eval',
    ]);
    results.push(sweep);
    record(
      'sweep page: train-loss chart visible, 100 runs × 5,000 steps (median)',
      sweep.visibleMs['chart-curves-train'],
      'ms',
      { op: '<=', target: 700 },
      'the server-drawn SVG (or ECharts, if it came first)',
    );
    record(
      'sweep page: train-loss chart visible, first visit (pictures drawn for the request)',
      sweep.firstVisit.drawn['chart-curves-train'].visible,
      'ms',
      undefined,
      `one load; document TTFB ${sweep.firstVisit.ttfb.toFixed(0)} ms (median of the others: ` +
        `${sweep.profile.ttfbMs.toFixed(0)} ms)`,
    );
    record(
      'sweep page: train-loss chart drawn by ECharts, interactive (median)',
      sweep.drawnMs['chart-curves-train'],
      'ms',
      { op: '<=', target: 1500 },
      `painted ${sweep.paintedMs['chart-curves-train'].toFixed(0)} ms; both charts drawn ` +
        `${Math.max(...Object.values(sweep.drawnMs)).toFixed(0)} ms`,
    );
    record('sweep page: both charts drawn by ECharts (median)', Math.max(...Object.values(sweep.drawnMs)), 'ms');
    // Pictures drawn for the request on a warm server: each load asks for a view state not drawn before.
    const states = ['b=se', 'b=mm', 'b=ci', 's=0.3', 's=0.6', 's=0.8', 's=0.9'].slice(0, LOADS);
    const fresh: Load[] = [];
    for (const q of states) fresh.push(await loadOnce(browser, `${server.url}/sweeps/${SWEEP}?${q}`, [SWEEP_TRAIN]));
    record(
      'sweep page: train-loss chart visible, a view state not drawn before (median)',
      median(fresh.map((l) => l.drawn[SWEEP_TRAIN].visible)),
      'ms',
      undefined,
      `pictures drawn for each request; document TTFB ${median(fresh.map((l) => l.ttfb)).toFixed(0)} ms; ` +
        `states ${states.join(', ')}`,
    );

    const fig2 = await measurePage(browser, server, 'Figure 2, 20 runs', `/sweeps/${NORMS}/norms`, ['chart-figure2']);
    results.push(fig2);
    record('Figure-2 norms view: chart visible, 20 runs (median)', fig2.visibleMs['chart-figure2'], 'ms', {
      op: '<=',
      target: 500,
    });
    record(
      'Figure-2 norms view: chart drawn by ECharts, interactive (median)',
      fig2.drawnMs['chart-figure2'],
      'ms',
      undefined,
      `painted ${fig2.paintedMs['chart-figure2'].toFixed(0)} ms`,
    );

    live = await liveRun(server.url, quick ? 2_000 : 5_000);
    const run = await measurePage(browser, server, 'run page, live (fed over HTTP every 250 ms)', `/runs/${live.id}`, [
      'chart-run-train',
    ]);
    results.push(run);
    const steps = await live.stop();
    live = undefined;
    record(
      'run page during live ingest: train-loss chart drawn (median)',
      run.drawnMs['chart-run-train'],
      'ms',
      undefined,
      `painted ${run.paintedMs['chart-run-train'].toFixed(0)} ms; run at ${steps.toLocaleString('en')} steps`,
    );
  } finally {
    if (live) await live.stop().catch(() => 0);
    await browser?.close().catch(() => undefined);
    await server?.kill().catch(() => undefined);
    if (server) fs.rmSync(server.home, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }

  console.log(
    `\nLayerLab pages benchmark${quick ? ' (--quick)' : ''} — ${os.cpus()[0]?.model ?? 'cpu'} × ` +
      `${os.cpus().length}, Node ${process.version}, ` +
      `Chromium headless, ${LOADS} loads per page (median), build ${buildAge.toFixed(0)} min old\n`,
  );
  console.log(
    table(
      ['figure', 'measured', 'goal', ''],
      figures.map((f) => [
        f.name,
        `${f.value.toLocaleString('en', { maximumFractionDigits: 0 })} ${f.unit}`,
        f.goal ?? '',
        f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED',
      ]),
    ),
  );
  for (const f of figures.filter((x) => x.note)) console.log(`  ${f.name}: ${f.note}`);
  for (const r of results) {
    const p = r.profile;
    console.log(
      `\nprofile — ${r.page}: document TTFB ${p.ttfbMs.toFixed(0)} ms, scripts loaded ` +
        `${p.scriptsEndMs.toFixed(0)} ms, ` +
        `DOMContentLoaded ${p.domContentLoadedMs.toFixed(0)} ms, last API response ${p.lastApiEndMs.toFixed(0)} ms, ` +
        `client work after it ${p.clientAfterApiMs.toFixed(0)} ms`,
    );
    console.log(
      table(
        ['API call (typical load)', 'start', 'end', 'kB', 'from Node'],
        p.api.map((a) => {
          const s = p.server.find((x) => x.path === a.path);
          return [
            a.path.length > 70 ? `${a.path.slice(0, 67)}…` : a.path,
            `${a.startMs.toFixed(0)} ms`,
            `${a.endMs.toFixed(0)} ms`,
            a.kB.toFixed(1),
            s ? `${s.ms.toFixed(0)} ms` : '',
          ];
        }),
      ),
    );
  }

  const outDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `pages-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'pages',
        quick,
        date: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        loadsPerPage: LOADS,
        data: { curves, norms },
        figures,
        pages: results.map(({ loads, ...r }) => ({ ...r, loadsDrawnMs: loads.map((l) => l.drawn) })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${path.relative(root, out)}`);
}

main().catch((e: unknown) => {
  console.error(`bench:pages failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
