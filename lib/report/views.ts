/**
 * The data and charts of an exportable view, computed straight from lib/queries (no HTTP) with the builders the
 * pages use: the ablation table, the norms (paper Figure 2), the sweep curves and the robustness view. Charts are
 * ECharts options with plain data; the route renders them to SVG and lib/report/html.ts assembles the file.
 */
import type Database from 'better-sqlite3';
import { badRequest } from '../errors';
import type { LayerNormQuantity } from '../protocol';
import { normAggregates } from '../queries/norms';
import { sweepRunIds } from '../queries/run-details';
import { sweepName, sweepRunSettings } from '../queries/runs';
import { seriesForRuns } from '../queries/series';
import { ablationTable, type AblationTable } from '../queries/table';
import { groupCurves } from '../views/bands';
import { figure2, layerName } from '../views/figure2';
import { type ConfigGroup, groupRuns } from '../views/groups';
import { robustness } from '../views/robustness';
import { robustnessOption } from '../views/robustness-chart';
import type { DataTable } from '../views/types';
import { buildHtml } from './html';
import { curvesOption, normsOption, tableHeatmapOption } from './charts';

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

function tableSection(t: AblationTable): ExportSection {
  return {
    heading: `${t.metric.label}: mean ± std over seeds`,
    note: t.caption,
    option: tableHeatmapOption(t),
    table: {
      columns: ['configuration', 'γ', 'K (period)', 'switches', 'n', 'mean', 'std', 'min', 'max', 'best'],
      rows: rowsOf(t).map((r) => [
        r.label,
        r.gamma,
        r.interval,
        r.switches,
        r.stats.n,
        r.stats.mean,
        r.stats.std,
        r.stats.min,
        r.stats.max,
        r.best ? '★' : '',
      ]),
    },
  };
}

/** The sweep's configurations as its pages group them. */
function sweepGroups(sqlite: Database.Database, sweepId: string): ConfigGroup[] {
  return groupRuns(sweepRunSettings(sqlite, sweepId));
}

/** Figure 2 as the norms page draws it: per configuration, seeds averaged per layer group. */
function normsSection(
  sqlite: Database.Database,
  sweepId: string,
  groups: ConfigGroup[],
  quantity: LayerNormQuantity,
): ExportSection {
  const runs = (sweepRunIds(sqlite, sweepId) ?? []).map((runId) => ({
    runId,
    groups: normAggregates(sqlite, runId, quantity, 'mean'),
  }));
  const fig = figure2(runs, groups);
  const layers = fig.layers.map(layerName);
  return {
    heading: `Mean ‖${quantity}‖₂ per layer group (over logged steps, averaged over seeds)`,
    option: normsOption(
      layers,
      fig.series.map((s) => ({ name: s.group.label, ...s.group.style, data: s.values })),
      quantity,
    ),
    table: {
      columns: ['layer group', ...fig.series.map((s) => s.group.label)],
      rows: layers.map((l, i) => [l, ...fig.series.map((s) => s.values[i])]),
    },
  };
}

/** The curves page's mean lines: every run on one bucket grid (as /api/sweeps/:id/series), seeds averaged. */
function curvesSection(sqlite: Database.Database, sweepId: string, groups: ConfigGroup[], key: string): ExportSection {
  const series = seriesForRuns(sqlite, sweepRunIds(sqlite, sweepId) ?? [], key, 300);
  const curves = groupCurves(series, groups, 'none');
  const lines = curves.map((c) => ({
    name: c.group.label,
    ...c.group.style,
    data: c.steps.map((x, i): [number, number] => [x, c.mean[i]]).filter(([, y]) => Number.isFinite(y)),
  }));
  const steps = [...new Set(lines.flatMap((l) => l.data.map((d) => d[0])))].sort((a, b) => a - b);
  return {
    heading: `${key}: mean over seeds per configuration`,
    option: curvesOption(lines, key),
    table: {
      columns: ['step', ...lines.map((l) => l.name)],
      rows: steps.map((s) => [s, ...lines.map((l) => l.data.find((d) => d[0] === s)?.[1] ?? null)]),
    },
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
    return {
      title: `${name}: weight norms per layer (paper Figure 2)`,
      sections: [normsSection(sqlite, ref.sweepId, sweepGroups(sqlite, ref.sweepId), q as LayerNormQuantity)],
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
  const keys = pick(ref.params, 'k', 'key')?.split(',') ?? ['train/loss', 'eval/loss'];
  const groups = sweepGroups(sqlite, ref.sweepId);
  return {
    title: `${name}: training curves`,
    sections: keys.map((k) => curvesSection(sqlite, ref.sweepId, groups, k)),
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
