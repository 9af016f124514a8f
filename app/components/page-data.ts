/**
 * Server side of the sweep's curves and Figure-2 pages: the first render's API answers, computed in the server
 * process and handed to react-query (so the view renders whole on the server and does not fetch them again
 * after hydration), and each chart drawn as ECharts SVG (shown from the first paint until the browser's ECharts
 * has drawn it: app/components/Chart.tsx `preview`).
 *
 * The sweep itself is seeded by the sweep layout (above the header, which reads it too).
 *
 * The answers are the API's own (lib/server/sweep-answer.ts, lib/queries/series.ts and norms.ts for the same
 * ids, through the same JSON), for the same viewer: a share link that does not cover the sweep gets nothing
 * here and the view fetches and shows the API's refusal, as before. A query the API would refuse (an unknown
 * quantity, an empty metric key) is not seeded either.
 */
import { dehydrate, QueryClient, type DehydratedState } from '@tanstack/react-query';
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { headers } from 'next/headers';
import { cache } from 'react';
import { LAYER_NORM_QUANTITIES, type LayerNormQuantity } from '@/lib/protocol';
import { fromJson, toJson } from '@/lib/protocol/json';
import { sweepRunIds } from '@/lib/queries/run-details';
import { sweepNorms } from '@/lib/queries/norms';
import { seriesForRuns } from '@/lib/queries/series';
import { mayRead, viewerOf } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { sweepAnswer } from '@/lib/server/sweep-answer';
import { groupCurves, type MultiSeries } from '@/lib/views/bands';
import { curveChart } from '@/lib/views/charts/curves';
import { figure2Chart } from '@/lib/views/charts/figure2';
import { figure2, type RunNorms } from '@/lib/views/figure2';
import { groupRuns } from '@/lib/views/groups';
import {
  CURVES_CHART_HEIGHT,
  CURVES_STATE,
  curvesDrawing,
  FIGURE2_CHART_HEIGHT,
  NORMS_STATE,
  normsAggregation,
  normsAggregationLabel,
  stateFromSearch,
  SWEEP_SERIES_POINTS,
  sweepKey,
  sweepNormsKey,
  sweepSeriesKey,
} from '@/lib/views/page-state';
import type { ChartPreview } from './Chart';
import { renderSvg } from './echarts';

export type Search = Record<string, string | string[] | undefined>;

export interface PageData {
  /** react-query's cache for the first render (HydrationBoundary); undefined when nothing is seeded. */
  state?: DehydratedState;
  /** Each chart the first render draws, as SVG, by chart id. */
  previews: Record<string, ChartPreview>;
}

/**
 * Width the server draws at: the chart's width in a window of 1,400 pixels or more (main is at most 1,200 wide,
 * less its padding and the panel's). The SVG scales to the chart's real width until the browser redraws it.
 */
const PREVIEW_WIDTH = 1110;

/** What the browser would have parsed from the API's JSON (NaN kept, undefined dropped, dates as strings). */
const asJson = <T>(value: T): T => fromJson<T>(toJson(value));

/**
 * GET /api/sweeps/:id's answer for this request's viewer, once per request (the layout and the page both use it);
 * null when the viewer may not read the sweep (the view then fetches and shows the API's refusal, as before).
 */
const sweepFor = cache(async (id: string) => {
  const viewer = viewerOf({ headers: await headers() });
  if (!mayRead(viewer, { sweepId: id })) return null;
  return asJson(sweepAnswer(getContext(), id, viewer));
});

/**
 * The sweep layout's seed: every sweep view and the sweep header read GET /api/sweeps/:id first. It must be
 * seeded above the header: react-query hydrates a key that a component already asked for only after the render.
 */
export async function sweepLayoutState(id: string): Promise<DehydratedState | undefined> {
  const sweep = await sweepFor(id);
  return sweep ? seed([[sweepKey(id), sweep]]) : undefined;
}

/**
 * How long the server's answers count as fresh in the browser. They are seconds old when the page hydrates, and
 * react-query would otherwise fetch them all again at once, in front of the page's scripts; live views poll on
 * their own interval regardless.
 */
const FRESH_MS = 10_000;

function seed(entries: [unknown[], unknown][]): DehydratedState {
  const client = new QueryClient();
  const updatedAt = Date.now() + FRESH_MS;
  for (const [key, data] of entries) client.setQueryData(key, data, { updatedAt });
  return dehydrate(client);
}

const validKey = (key: string) => key.length >= 1 && key.length <= 200;

/** The sweep's answer and its fine-tuning runs, when this request's viewer may read the sweep. */
async function readableSweep(id: string) {
  const sweep = await sweepFor(id);
  const { sqlite } = getContext().conn;
  const runIds = sweepRunIds(sqlite, id);
  return sweep && runIds ? { sweep, runIds, sqlite } : null;
}

/**
 * The curves page: both charts drawn. Their series are not seeded: 100 runs' buckets are megabytes in the page's
 * payload, more than the fetch after hydration costs; the pictures stand in until they arrive.
 */
export async function curvesPageData(id: string, search: Search): Promise<PageData | null> {
  const readable = await readableSweep(id);
  if (!readable) return null;
  const { sweep, runIds, sqlite } = readable;
  const st = stateFromSearch(CURVES_STATE, search);
  const key = `curves|${id}|${JSON.stringify(st)}|${dataVersion(sqlite, id)}`;
  const cached = pictures.get(key);
  if (cached) {
    pictures.delete(key); // re-insert: Map order is the LRU order
    pictures.set(key, cached);
    return { previews: cached };
  }
  const groups = groupRuns(sweep.runs);
  const drawing = curvesDrawing(st);
  const previews: Record<string, ChartPreview> = {};
  for (const [chart, metric] of [
    ['curves-train', st.m],
    ['curves-eval', st.e],
  ]) {
    if (!validKey(metric) || groups.length === 0) continue;
    const series: MultiSeries = seriesForRuns(sqlite, runIds, metric, SWEEP_SERIES_POINTS);
    const curves = groupCurves(series, groups, drawing.band, drawing.smoothing);
    const drawn = curveChart({ key: metric, curves, ...drawing });
    if (drawn.data.rows.length === 0) continue;
    previews[chart] = { svg: renderSvg(drawn.option, PREVIEW_WIDTH, CURVES_CHART_HEIGHT), note: drawn.note };
  }
  pictures.set(key, previews);
  if (pictures.size > PICTURES_KEPT) pictures.delete(pictures.keys().next().value as string);
  return { previews };
}

/**
 * Drawn pictures by sweep, view state and data version. Drawing the curves of 100 runs costs the server about
 * 0.3 s; a finished sweep's pictures never change, so a second visit (a reload, a colleague's share link) is
 * served from here. New events, runs or statuses change the version, and the pictures are drawn again.
 */
const pictures = new Map<string, Record<string, ChartPreview>>();
const PICTURES_KEPT = 32;

/** What changes whenever a sweep's charts could: its runs, their statuses and the events they have stored. */
function dataVersion(sqlite: Database.Database, sweepId: string): string {
  const runs = sqlite
    .prepare("SELECT group_concat(id || ':' || status || ':' || last_seq) FROM runs WHERE sweep_id = ?")
    .pluck()
    .get(sweepId) as string | null;
  return createHash('sha1')
    .update(runs ?? '')
    .digest('hex');
}

/** The Figure-2 page: the sweep and the norms the Figure-2 chart shows, drawn. */
export async function normsPageData(id: string, search: Search): Promise<PageData | null> {
  const readable = await readableSweep(id);
  if (!readable) return null;
  const { sweep, runIds, sqlite } = readable;
  const st = stateFromSearch(NORMS_STATE, search);
  const entries: [unknown[], unknown][] = [];
  const previews: Record<string, ChartPreview> = {};
  const agg = normsAggregation(st);
  const step = agg === 'step' ? Number(st.t) : undefined;
  const valid =
    (LAYER_NORM_QUANTITIES as readonly string[]).includes(st.q) &&
    (agg === 'mean' || agg === 'last' || (agg === 'step' && /^\d+$/.test(st.t) && Number.isSafeInteger(step)));
  if (valid) {
    const quantity = st.q as LayerNormQuantity;
    const norms = asJson(sweepNorms(sqlite, id, runIds, quantity, agg as 'mean' | 'last' | 'step', step));
    entries.push([sweepNormsKey(id, st), norms]);
    const drawn = figure2Chart(
      figure2(norms.runs as RunNorms[], groupRuns(sweep.runs)),
      st.q,
      normsAggregationLabel(st),
    );
    if (drawn.data.rows.length > 0) {
      previews.figure2 = { svg: renderSvg(drawn.option, PREVIEW_WIDTH, FIGURE2_CHART_HEIGHT), note: null };
    }
  }
  return { state: entries.length > 0 ? seed(entries) : undefined, previews };
}
