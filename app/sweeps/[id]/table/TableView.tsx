'use client';
/**
 * View 4: the ablation table — γ × K, or any two knobs the LISA cells differ in (sampling rule, granularity, …)
 * as rows and columns with the rest as facets — heat-mapped, mean ± std (n), best cell marked, and under each
 * cell its seed-paired difference to one baseline (toggle) with a 95% interval; CSV / Markdown / LaTeX.
 * URL: m (metric), vs (baseline label), rows and cols (axes).
 */
import { Link } from '@/app/components/link';
import { Controls, Empty, ErrorBox, Loading, Select } from '@/app/components/Status';
import { useLive, useSweep } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { formatNumber } from '@/lib/format';
import { comparisonText, displayScale, metricTitle } from '@/lib/table-formats/format';
import {
  AXIS_NAMES,
  cellDisplay,
  comparisonWith,
  defaultAxes,
  pivot,
  shader,
  switchesFor,
  tableAxes,
  type AblationRow,
  type AblationTableJson,
  type Facet,
} from '@/lib/views/ablation';
import { anyLive } from '@/lib/views/types';

const METRICS: [string, string][] = [
  ['eval/loss', 'final eval loss'],
  ['eval/loss:best', 'best eval loss'],
  ['eval/ppl', 'final eval perplexity'],
  ['eval/accuracy', 'final eval accuracy'],
  ['train/loss:roughness', 'train loss roughness (std around an 11-step moving average)'],
  ['mem/peak_bytes', 'peak memory (MiB)'],
  ['tokens_per_s', 'throughput (tokens/s: total tokens ÷ total time)'],
  ['wall_time', 'wall time (s)'],
];
const FORMATS: [string, string][] = [
  ['csv', 'CSV'],
  ['md', 'Markdown'],
  ['latex', 'LaTeX'],
];

function lrTitle(row: AblationRow): string {
  if (row.lrChoice.length < 2) return row.lr === null ? '' : `; lr ${row.lr}`;
  const candidates = row.lrChoice.map((c) => `${c.lr ?? '?'} (${formatNumber(c.mean)}, n = ${c.n})`);
  return `; lr ${row.lr}, best of ${candidates.join(', ')}`;
}

function Cell({
  row,
  shade,
  vs,
  metricKey,
  live,
}: {
  row: AblationRow;
  shade: (r: AblationRow) => string | undefined;
  vs: string | null;
  metricKey: string;
  live: boolean;
}) {
  const s = row.stats;
  const c = vs ? comparisonWith(row, vs) : null;
  const shown = cellDisplay(row, metricKey, live);
  return (
    <td
      className={`num abl-cell${shown.best ? ' abl-best' : ''}`}
      style={{ background: shade(row) }}
      data-testid={`cell-${row.method}-${row.gamma ?? ''}-${row.interval ?? ''}`}
      data-sampling={row.sampling ?? undefined}
      data-granularity={row.granularity ?? undefined}
      data-n={s.n}
      title={`${row.label}: ${s.n} seeds counted${row.excluded ? `, ${row.excluded} not finished` : ''}${lrTitle(row)}`}
    >
      {shown.best ? (
        <span className="abl-star" role="img" aria-label="best">
          ★{' '}
        </span>
      ) : null}
      <span className="abl-mean">{shown.value}</span>
      {shown.count ? <span className="muted abl-n"> {shown.count}</span> : null}
      {c ? (
        <span
          className={`abl-diff${c.significant ? ' abl-sig' : ''}`}
          data-testid="cell-diff"
          data-significant={String(c.significant)}
        >
          Δ {comparisonText(c, displayScale({ key: metricKey }).factor)}
        </span>
      ) : null}
    </td>
  );
}

function VsToggle({
  labels,
  value,
  onChange,
}: {
  labels: string[];
  value: string | null;
  onChange: (v: string) => void;
}) {
  const cls = (on: boolean) => `link-button${on ? ' active' : ''}`;
  return (
    <span className="view-field">
      <span>Paired Δ</span>
      <span className="export-links" role="radiogroup" aria-label="Compare with">
        {labels.map((l, i) => (
          <button
            key={l}
            type="button"
            role="radio"
            aria-checked={l === value}
            className={cls(l === value)}
            onClick={() => onChange(l)}
            data-testid={`vs-${i}`}
          >
            vs {l}
          </button>
        ))}
        <button
          type="button"
          role="radio"
          aria-checked={value === null}
          className={cls(value === null)}
          onClick={() => onChange('none')}
          data-testid="vs-none"
        >
          off
        </button>
      </span>
    </span>
  );
}

function FacetGrid({
  facet,
  table,
  rows,
  cols,
  shade,
  vs,
  live,
}: {
  facet: Facet;
  table: AblationTableJson;
  rows: string;
  cols: string;
  shade: (r: AblationRow) => string | undefined;
  vs: string | null;
  live: boolean;
}) {
  const head = (axis: string, v: string) => (axis === 'gamma' ? `γ = ${v}` : axis === 'interval' ? `K = ${v}` : v);
  return (
    <>
      {facet.title ? (
        <h3 className="abl-facet" data-testid="table-facet">
          {facet.title}
        </h3>
      ) : null}
      <table className="grid abl-table" data-testid="ablation-table" data-rows={rows} data-cols={cols}>
        <thead>
          <tr>
            <th>
              {AXIS_NAMES[rows] ?? rows} \ {AXIS_NAMES[cols] ?? cols}
            </th>
            {facet.cols.map((c) => (
              <th key={c} className="num">
                {head(cols, c)}
                {cols === 'interval' ? (
                  <>
                    <br />
                    <span className="muted">{switchesFor(table, Number(c)) ?? '?'} switches</span>
                  </>
                ) : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {facet.rows.map((r) => (
            <tr key={r}>
              <th>{head(rows, r)}</th>
              {facet.cols.map((c) => {
                const cell = facet.cell(r, c);
                if (!cell)
                  return (
                    <td key={c} className="num muted">
                      —
                    </td>
                  );
                return <Cell key={c} row={cell} shade={shade} vs={vs} metricKey={table.metric.key} live={live} />;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function TableView({ id }: { id: string }) {
  const [st, set] = useUrlState({ m: 'eval/loss', vs: '', rows: '', cols: '' });
  const sweep = useSweep(id);
  const live = sweep.data ? anyLive(sweep.data.runs) : true;
  const q = useLive<AblationTableJson>(
    ['table', id, st.m],
    `/api/sweeps/${id}/table?metric=${encodeURIComponent(st.m)}`,
    live,
  );
  const exportHref = (f: string) => `/api/sweeps/${id}/table?metric=${encodeURIComponent(st.m)}&format=${f}`;
  const controls = (
    <Controls>
      <Select label="Metric" value={st.m} options={METRICS} onChange={(m) => set({ m })} testId="table-metric" />
      <span className="view-field">
        <span>Export</span>
        <span className="export-links">
          {FORMATS.map(([f, l]) => (
            <a key={f} className="link-button" href={exportHref(f)} download data-testid={`export-${f}`}>
              {l}
            </a>
          ))}
        </span>
      </span>
      {live ? <span className="status status-running">live</span> : null}
    </Controls>
  );
  if (q.error)
    return (
      <>
        {controls}
        <ErrorBox error={q.error} what="the ablation table" />
      </>
    );
  if (!q.data)
    return (
      <>
        {controls}
        <Loading what="the ablation table" />
      </>
    );
  const t = q.data;
  if (t.cells.length === 0 && t.baselines.length === 0) {
    return (
      <>
        {controls}
        <Empty title="No runs to tabulate">
          <p>This sweep has no fine-tuning runs yet.</p>
        </Empty>
      </>
    );
  }
  const shade = shader(t);
  const refused = [...t.cells, ...t.baselines].flatMap((r) => r.refused);
  const labels = t.cells.length ? t.baselines.map((b) => b.label) : [];
  // Default: the first baseline; `vs=none` turns the differences off; an unknown label falls back too.
  const vs = st.vs === 'none' ? null : labels.includes(st.vs) ? st.vs : (labels[0] ?? null);
  const axes = tableAxes(t);
  const known = (a: string) => axes.some((x) => x.axis === a);
  const fallback = defaultAxes(t);
  const rows = known(st.rows) ? st.rows : fallback.rows;
  const cols = known(st.cols) && st.cols !== rows ? st.cols : fallback.cols === rows ? fallback.rows : fallback.cols;
  const facets = t.cells.length > 0 ? pivot(t, rows, cols) : [];
  const axisOptions: [string, string][] = axes
    .filter((a) => a.values.length > 1 || a.axis === 'gamma' || a.axis === 'interval')
    .map((a) => [a.axis, AXIS_NAMES[a.axis] ?? a.axis]);
  return (
    <section>
      {controls}
      <div className="panel">
        {labels.length || axisOptions.length > 2 ? (
          <Controls>
            {labels.length ? <VsToggle labels={labels} value={vs} onChange={(v) => set({ vs: v })} /> : null}
            {axisOptions.length > 2 ? (
              <>
                <Select
                  label="Rows"
                  value={rows}
                  options={axisOptions}
                  onChange={(v) => set({ rows: v })}
                  testId="table-rows"
                />
                <Select
                  label="Columns"
                  value={cols}
                  options={axisOptions}
                  onChange={(v) => set({ cols: v })}
                  testId="table-cols"
                />
              </>
            ) : null}
          </Controls>
        ) : null}
        <p className="muted abl-caption" data-testid="table-caption">
          {t.caption} ★ = best (none on a tie). K = steps between re-draws of the active blocks; switches = ⌈steps / K⌉.
          Darker = better.{' '}
          <Link href={`/sweeps/${id}/robustness?m=${encodeURIComponent(st.m)}`} data-testid="rank-stability-link">
            Rank stability across seeds →
          </Link>
        </p>
        {facets.map((f) => (
          <FacetGrid key={f.title} facet={f} table={t} rows={rows} cols={cols} shade={shade} vs={vs} live={live} />
        ))}
        {t.baselines.length > 0 ? (
          <table className="grid abl-table abl-baselines" data-testid="baseline-table">
            <thead>
              <tr>
                <th>Baseline</th>
                <th className="num">lr</th>
                <th className="num">{metricTitle(t.metric)}</th>
              </tr>
            </thead>
            <tbody>
              {t.baselines.map((b) => (
                <tr key={b.label}>
                  <th>{b.label}</th>
                  <td
                    className="num"
                    title={b.lrChoice.length > 1 ? `best of ${b.lrChoice.map((c) => c.lr).join(', ')}` : undefined}
                  >
                    {b.lr ?? '—'}
                    {b.lrChoice.length > 1 ? <span className="muted"> (best of {b.lrChoice.length})</span> : null}
                  </td>
                  <Cell row={b} shade={shade} vs={null} metricKey={t.metric.key} live={live} />
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {refused.length > 0 ? (
          <div className="abl-note" data-testid="table-refused">
            <p className="muted">
              Not counted: {refused.length} run{refused.length > 1 ? 's' : ''} scored on another evaluation set than the
              rest of {refused.length > 1 ? 'their rows' : 'its row'}.
            </p>
            <ul className="muted">
              {refused.map((r) => (
                <li key={r.runId}>{r.reason}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}
