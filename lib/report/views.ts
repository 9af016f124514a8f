/**
 * The data and charts of an exportable view, computed straight from lib/queries (no HTTP): the ablation
 * table, the norms (paper Figure 2), the sweep curves and the robustness view. Charts are ECharts options
 * with plain data; the route renders them to SVG and lib/report/html.ts assembles the file.
 */
import type Database from 'better-sqlite3';
import { badRequest } from '../errors';
import type { LayerNormQuantity } from '../protocol';
import { normAggregates } from '../queries/norms';
import { sweepName } from '../queries/runs';
import { seriesForRuns } from '../queries/series';
import { ablationTable, type AblationTable, type TableRow } from '../queries/table';
import { robustness } from '../views/robustness';
import { robustnessOption } from '../views/robustness-chart';
import { colorsFor } from '../views/palette';
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

function normsSection(sqlite: Database.Database, rows: TableRow[], quantity: LayerNormQuantity): ExportSection {
  const series = rows.map((r) => {
    const perRun = r.runIds.map((id) => normAggregates(sqlite, id, quantity, 'mean'));
    const groups = perRun[0]?.map((g) => g.group) ?? [];
    const values = groups.map((g) => {
      const xs = perRun
        .map((rs) => rs.find((x) => x.group === g)?.value)
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    });
    return { label: r.label, method: r.method, groups, values };
  });
  const groups = series.reduce<string[]>((a, s) => (s.groups.length > a.length ? s.groups : a), []);
  const colors = colorsFor(series.map((s) => s.method));
  return {
    heading: `Mean ‖${quantity}‖₂ per layer group (over logged steps, averaged over seeds)`,
    option: normsOption(
      groups,
      series.map((s, i) => ({
        name: s.label,
        color: colors[i],
        data: groups.map((g) => s.values[s.groups.indexOf(g)] ?? null),
      })),
      quantity,
    ),
    table: {
      columns: ['layer group', ...series.map((s) => s.label)],
      rows: groups.map((g) => [g, ...series.map((s) => s.values[s.groups.indexOf(g)] ?? null)]),
    },
  };
}

function curvesSection(sqlite: Database.Database, rows: TableRow[], key: string): ExportSection {
  const colors = colorsFor(rows.map((r) => r.method));
  const lines = rows.map((r, i) => {
    const res = seriesForRuns(sqlite, r.runIds, key, 200);
    const cells = new Map<number, number[]>();
    for (const run of res.runs)
      for (const b of run.buckets) {
        if (!Number.isFinite(b.mean)) continue;
        const x = Math.floor(b.firstStep / res.bucketSteps) * res.bucketSteps;
        cells.set(x, [...(cells.get(x) ?? []), b.mean]);
      }
    const data = [...cells]
      .sort((a, b) => a[0] - b[0])
      .map(([x, vs]) => [x, vs.reduce((a, b) => a + b, 0) / vs.length] as [number, number]);
    return { name: r.label, color: colors[i], data };
  });
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
  const rows = rowsOf(t);
  if (ref.kind === 'table') return { title: `${name}: γ × K ablation table`, sections: [tableSection(t)] };
  if (ref.kind === 'norms') {
    const q = pick(ref.params, 'q', 'quantity') ?? 'trainable';
    if (!(QUANTITIES as readonly string[]).includes(q))
      throw badRequest(`unknown quantity "${q}" (${QUANTITIES.join(', ')})`);
    return {
      title: `${name}: weight norms per layer (paper Figure 2)`,
      sections: [normsSection(sqlite, rows, q as LayerNormQuantity)],
    };
  }
  if (ref.kind === 'robustness') {
    const r = robustness(rows, t.metric.better);
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
  return { title: `${name}: training curves`, sections: keys.map((k) => curvesSection(sqlite, rows, k)) };
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
