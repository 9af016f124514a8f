'use client';
/** View 4: the γ × K ablation table, heat-mapped, mean ± std (n), best cell marked; CSV / Markdown / LaTeX. URL: m. */
import { Controls, Empty, ErrorBox, Loading, Select } from '@/app/components/Status';
import { useLive, useSweep } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { formatNumber } from '@/lib/format';
import { cellAt, shader, switchesFor, type AblationRow, type AblationTableJson } from '@/lib/views/ablation';
import { anyLive } from '@/lib/views/types';

const METRICS: [string, string][] = [
  ['eval/loss', 'final eval loss'],
  ['eval/loss:best', 'best eval loss'],
  ['eval/ppl', 'final eval perplexity'],
  ['eval/accuracy', 'final eval accuracy'],
  ['mem/peak_bytes', 'peak memory (bytes)'],
  ['tokens_per_s', 'throughput (tokens/s: total tokens ÷ total time)'],
  ['wall_time', 'wall time (s)'],
];
const FORMATS: [string, string][] = [['csv', 'CSV'], ['md', 'Markdown'], ['latex', 'LaTeX']];

function Cell({ row, shade }: { row: AblationRow; shade: (r: AblationRow) => string | undefined }) {
  const s = row.stats;
  return (
    <td className={`num abl-cell${row.best ? ' abl-best' : ''}`} style={{ background: shade(row) }}
      data-testid={`cell-${row.method}-${row.gamma ?? ''}-${row.interval ?? ''}`} data-n={s.n}
      title={`${row.label}: ${s.n} seeds counted${row.excluded ? `, ${row.excluded} not finished` : ''}`}>
      {row.best ? <span className="abl-star" aria-label="best">★ </span> : null}
      <span className="abl-mean">{formatNumber(s.mean)}</span>
      {Number.isFinite(s.std) ? <span> ± {formatNumber(s.std, 2)}</span> : null}
      <span className="muted abl-n"> (n = {s.n}{s.nonFinite ? `, +${s.nonFinite} NaN` : ''})</span>
    </td>
  );
}

export function TableView({ id }: { id: string }) {
  const [st, set] = useUrlState({ m: 'eval/loss' });
  const sweep = useSweep(id);
  const live = sweep.data ? anyLive(sweep.data.runs) : true;
  const q = useLive<AblationTableJson>(['table', id, st.m], `/api/sweeps/${id}/table?metric=${encodeURIComponent(st.m)}`, live);
  const exportHref = (f: string) => `/api/sweeps/${id}/table?metric=${encodeURIComponent(st.m)}&format=${f}`;
  const controls = (
    <Controls>
      <Select label="Metric" value={st.m} options={METRICS} onChange={(m) => set({ m })} testId="table-metric" />
      <span className="view-field">
        <span>Export</span>
        <span className="export-links">
          {FORMATS.map(([f, l]) => <a key={f} className="link-button" href={exportHref(f)} download data-testid={`export-${f}`}>{l}</a>)}
        </span>
      </span>
      {live ? <span className="status status-running">live</span> : null}
    </Controls>
  );
  if (q.error) return <>{controls}<ErrorBox error={q.error} what="the ablation table" /></>;
  if (!q.data) return <>{controls}<Loading what="the ablation table" /></>;
  const t = q.data;
  if (t.cells.length === 0 && t.baselines.length === 0) {
    return <>{controls}<Empty title="No runs to tabulate"><p>This sweep has no fine-tuning runs yet.</p></Empty></>;
  }
  const shade = shader(t);
  const refused = [...t.cells, ...t.baselines].flatMap((r) => r.refused);
  const better = t.metric.better === 'lower' ? 'lower is better' : 'higher is better';
  return (
    <section>
      {controls}
      <div className="panel">
        <p className="muted abl-caption">
          {t.metric.label}, mean ± std over seeds (n = seeds counted); {better}; ★ = best. K = steps between re-draws
          of the active blocks; switches = ⌈steps / K⌉. Darker = better.
        </p>
        {t.cells.length > 0 ? (
          <table className="grid abl-table" data-testid="ablation-table">
            <thead>
              <tr>
                <th>γ (active blocks) \ K (period)</th>
                {t.intervals.map((k) => (
                  <th key={k} className="num">K = {k}<br /><span className="muted">{switchesFor(t, k) ?? '?'} switches</span></th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.gammas.map((g) => (
                <tr key={g}>
                  <th>γ = {g}</th>
                  {t.intervals.map((k) => {
                    const c = cellAt(t, g, k);
                    return c ? <Cell key={k} row={c} shade={shade} /> : <td key={k} className="num muted">—</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {t.baselines.length > 0 ? (
          <table className="grid abl-table abl-baselines" data-testid="baseline-table">
            <thead><tr><th>Baseline</th><th className="num">{t.metric.label}</th></tr></thead>
            <tbody>
              {t.baselines.map((b) => (
                <tr key={b.label}><th>{b.label}</th><Cell row={b} shade={shade} /></tr>
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
            <ul className="muted">{refused.map((r) => <li key={r.runId}>{r.reason}</li>)}</ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}
