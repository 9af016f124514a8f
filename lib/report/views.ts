/**
 * The data and charts of an exportable view, computed straight from lib/queries (no HTTP) with the builders the
 * pages use: the ablation table, the norms (paper Figure 2), the sweep curves and the robustness view. Charts are
 * ECharts options with plain data; the route renders them to SVG and lib/report/html.ts assembles the file.
 */
import type Database from 'better-sqlite3';
import { badRequest } from '../errors';
import { formatQuantity, metricTitle, quantityOf, spreadParts } from '../format';
import type { LayerNormQuantity } from '../protocol';
import { normAggregates, type NormAgg } from '../queries/norms';
import { sweepRunIds } from '../queries/run-details';
import { sweepName, sweepRunSettings } from '../queries/runs';
import { seriesForRuns } from '../queries/series';
import { ablationTable, type AblationTable, type TableRow } from '../queries/table';
import { BAND_LABEL, BANDS, type BandKind, groupCurves } from '../views/bands';
import { curveChart } from '../views/charts/curves';
import { figure2Chart } from '../views/charts/figure2';
import { figure2 } from '../views/figure2';
import { metricInfo } from '../views/metrics';
import { type ConfigGroup, groupRuns } from '../views/groups';
import { robustness } from '../views/robustness';
import { robustnessOption } from '../views/robustness-chart';
import type { DataTable } from '../views/types';
import { buildHtml } from './html';
import { tableHeatmapOption } from './charts';

export interface ExportSection {
  heading: string;
  note?: string;
  option?: Record<string, unknown>;
  table?: DataTable;
}

export interface ExportView {
  title: string;
  sections: ExportSection[];
}

export type ExportKind = 'curves' | 'table' | 'norms' | 'robustness';

export interface ViewRef {
  kind: ExportKind;
  sweepId: string;
  params: URLSearchParams;
}

/** `/sweeps/<id>[/table|/norms|/robustness][?query]` → what to export; null when not exportable. */
export function parseViewPath(viewPath: string): ViewRef | null {
  const u = new URL(viewPath, 'http://x');
  const m = u.pathname.match(/^\/sweeps\/([A-Za-z0-9_-]+)(?:\/(table|norms|robustness|curves))?\/?$/);
  if (!m || m[1] === 'new') return null;
  return { kind: (m[2] as ExportKind | undefined) ?? 'curves', sweepId: m[1], params: u.searchParams };
}

/** The view a path names, or a bad request naming the views that can be exported. */
export function exportRef(viewPath: string): ViewRef {
  const ref = parseViewPath(viewPath);
  if (!ref)
    throw badRequest(
      `cannot export "${viewPath}": ` +
        'use /sweeps/<id>, /sweeps/<id>/table, /sweeps/<id>/norms or /sweeps/<id>/robustness',
    );
  return ref;
}

const pick = (p: URLSearchParams, ...keys: string[]) =>
  keys.map((k) => p.get(k)).find((v) => v !== null && v !== '') ?? undefined;
const rowsOf = (t: AblationTable) => [...t.cells, ...t.baselines];

/** The table as the page and the Markdown export print it: the same quantity formatter, MiB for bytes. */
function tableSection(t: AblationTable): ExportSection {
  const quantity = quantityOf(t.metric.key);
  const ci = (r: TableRow) =>
    r.stats.n > 1 ? `[${r.stats.ci95.map((x) => formatQuantity(x, quantity)).join(', ')}]` : '—';
  return {
    heading: `${metricTitle(t.metric)}: mean ± std over seeds`,
    note: t.caption,
    option: tableHeatmapOption(t),
    table: {
      columns: ['configuration', 'γ', 'K (period)', 'switches', 'n', 'mean ± std', '95% CI', 'min', 'max', 'best'],
      rows: rowsOf(t).map((r) => {
        const p = spreadParts(r.stats, quantity);
        return [
          r.label,
          r.gamma,
          r.interval,
          r.switches,
          r.stats.n,
          p ? (p.std === null ? p.mean : `${p.mean} ± ${p.std}`) : '—',
          ci(r),
          r.stats.n ? formatQuantity(r.stats.min, quantity) : '—',
          r.stats.n ? formatQuantity(r.stats.max, quantity) : '—',
          r.best ? '★' : '',
        ];
      }),
    },
  };
}

/** The sweep's configurations as its pages group them. */
function sweepGroups(sqlite: Database.Database, sweepId: string): ConfigGroup[] {
  return groupRuns(sweepRunSettings(sqlite, sweepId));
}

/** Figure 2 as the norms page draws it (its builder, quantity and aggregation): seeds averaged per layer group. */
function normsSection(
  sqlite: Database.Database,
  sweepId: string,
  groups: ConfigGroup[],
  quantity: LayerNormQuantity,
  agg: NormAgg,
  step?: number,
): ExportSection {
  const runs = (sweepRunIds(sqlite, sweepId) ?? []).map((runId) => ({
    runId,
    groups: normAggregates(sqlite, runId, quantity, agg, step),
  }));
  const aggLabel = agg === 'mean' ? 'mean over steps' : agg === 'step' ? `at step ${step}` : 'at the last step';
  const chart = figure2Chart(figure2(runs, groups), quantity, aggLabel);
  return {
    heading: `‖${quantity}‖₂ per layer group, ${aggLabel} (averaged over seeds)`,
    option: chart.option,
    table: chart.data,
  };
}

/** The curves page's settings (URL keys m, e, b, s, log, t), read as the page reads them. */
interface CurveSettings {
  band: BandKind;
  smoothing: number;
  log: boolean;
  seeds: boolean;
}

function curveSettings(p: URLSearchParams): CurveSettings {
  const b = p.get('b') ?? 'std';
  return {
    band: (BANDS as readonly string[]).includes(b) ? (b as BandKind) : 'std',
    smoothing: Number(p.get('s')) || 0,
    log: p.get('log') === '1',
    seeds: p.get('t') === '1',
  };
}

/**
 * One chart of the curves page, drawn by the page's own builder (lib/views/charts/curves.ts) from the same
 * bucket grid as /api/sweeps/:id/series: what the user sees (band, log axis, per-seed traces, smoothing), and the
 * chart's data table as the page's "data" toggle shows it.
 */
function curvesSection(
  sqlite: Database.Database,
  sweepId: string,
  groups: ConfigGroup[],
  key: string,
  view: CurveSettings,
): ExportSection {
  const series = seriesForRuns(sqlite, sweepRunIds(sqlite, sweepId) ?? [], key, 300);
  const chart = curveChart({ key, curves: groupCurves(series, groups, view.band, view.smoothing), ...view });
  const band = view.band === 'none' ? '' : `, band = ${BAND_LABEL[view.band]}`;
  const smoothing = view.smoothing > 0 ? `; EMA smoothing ${view.smoothing}` : '';
  return {
    heading: `${key}: mean over seeds per configuration${band}`,
    note:
      `${metricInfo(key).axis} vs training step${view.log ? ' (log axis)' : ''}` +
      `${view.seeds ? '; thin lines: one per seed' : ''}${smoothing}${chart.note ? ` (${chart.note})` : ''}.`,
    option: chart.option,
    table: chart.data,
  };
}

const QUANTITIES = ['weight', 'update', 'trainable', 'grad'] as const;

/** The export of one view; null when the sweep does not exist. A bad parameter is a bad request. */
export function exportView(sqlite: Database.Database, ref: ViewRef): ExportView | null {
  const metric = pick(ref.params, 'm', 'metric') ?? 'eval/loss';
  const t = ablationTable(sqlite, ref.sweepId, metric);
  if (!t) return null;
  const name = sweepName(sqlite, ref.sweepId)!;
  if (ref.kind === 'table') return { title: `${name}: γ × K ablation table`, sections: [tableSection(t)] };
  if (ref.kind === 'norms') {
    const q = pick(ref.params, 'q', 'quantity') ?? 'trainable';
    if (!(QUANTITIES as readonly string[]).includes(q))
      throw badRequest(`unknown quantity "${q}" (${QUANTITIES.join(', ')})`);
    // As the norms page: "at step t" without a step is the last step.
    const stepText = pick(ref.params, 't');
    const a = pick(ref.params, 'a') ?? 'mean';
    if (!['mean', 'last', 'step'].includes(a)) throw badRequest(`unknown aggregation "${a}" (mean, last, step)`);
    const step = stepText === undefined ? undefined : Number(stepText);
    if (step !== undefined && !(Number.isInteger(step) && step >= 0))
      throw badRequest(`step t must be a whole number ≥ 0, got "${stepText}"`);
    const agg = (a === 'step' && step === undefined ? 'last' : a) as NormAgg;
    const groups = sweepGroups(sqlite, ref.sweepId);
    return {
      title: `${name}: weight norms per layer (paper Figure 2)`,
      sections: [normsSection(sqlite, ref.sweepId, groups, q as LayerNormQuantity, agg, step)],
    };
  }
  if (ref.kind === 'robustness') {
    const r = robustness(rowsOf(t), t.metric.better);
    const kendall = Number.isFinite(r.meanKendall) ? r.meanKendall.toFixed(2) : '—';
    return {
      title: `${name}: robustness over seeds`,
      sections: [
        {
          heading: `${t.metric.label} per seed`,
          note: `Ranking across seeds: ${r.verdict} (mean Kendall τ ${kendall}).`,
          option: robustnessOption(r, t.metric.label),
          table: {
            columns: ['configuration', 'n', ...r.seeds.map((s) => `seed ${s}`), 'mean', 'std', 'CV'],
            rows: r.configs.map((c) => [
              c.label,
              c.stats.n,
              ...r.seeds.map((s) => c.bySeed[s] ?? null),
              c.stats.mean,
              c.stats.std,
              c.stats.cv,
            ]),
          },
        },
      ],
    };
  }
  // The page's two charts (m: training metric, e: eval metric), or the keys asked for with k.
  const keys = pick(ref.params, 'k', 'key')?.split(',') ?? [
    pick(ref.params, 'm') ?? 'train/loss',
    pick(ref.params, 'e') ?? 'eval/loss',
  ];
  const groups = sweepGroups(sqlite, ref.sweepId);
  const settings = curveSettings(ref.params);
  return {
    title: `${name}: training curves`,
    sections: keys.map((k) => curvesSection(sqlite, ref.sweepId, groups, k, settings)),
  };
}

/** The export file of a view, each chart drawn by `svg` (the server renders ECharts options to SVG). */
export function exportHtml(
  view: ExportView,
  viewPath: string,
  svg: (option: Record<string, unknown>, width: number, height: number) => string,
  now = new Date(),
): string {
  return buildHtml({
    title: view.title,
    subtitle: `View ${viewPath} · exported ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    sections: view.sections.map((s) => ({
      heading: s.heading,
      note: s.note,
      table: s.table,
      svg: s.option ? svg(s.option, 900, 440) : undefined,
    })),
  });
}
