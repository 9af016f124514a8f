'use client';
/**
 * The runs table: every run, filtered and sorted on the server (GET /api/runs), with chosen columns and a
 * selection to compare. Every setting lives in the URL (lib/views/runs-table.ts), so a copied URL reopens it.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@/app/components/link';
import { useState } from 'react';
import { apiGet } from '@/app/api-client';
import { Controls, Empty, ErrorBox, Loading, Select } from '@/app/components/Status';
import { useUrlState } from '@/app/components/url-state';
import { RUN_KINDS } from '@/lib/protocol/knobs';
import type { RunsTable } from '@/lib/queries/runs-table';

const STATUSES = ['queued', 'running', 'finished', 'failed', 'diverged', 'cancelled'];
import { liveInterval } from '@/lib/views/live';
import {
  columnChoices,
  columnTitle,
  formatColumnValue,
  RUNS_PAGE_SIZE,
  RUNS_TABLE_DEFAULTS,
  runsTableUrl,
  splitList,
} from '@/lib/views/runs-table';
import { anyLive } from '@/lib/views/types';

/** A text field that applies its value on Enter or when it loses focus, not on every keystroke. */
function TextFilter(props: { label: string; value: string; onApply: (v: string) => void; hint: string; id: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const apply = () => {
    if (draft !== null && draft !== props.value) props.onApply(draft.trim());
    setDraft(null);
  };
  return (
    <label className="view-field">
      <span>{props.label}</span>
      <input
        value={draft ?? props.value}
        placeholder={props.hint}
        data-testid={props.id}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply();
        }}
      />
    </label>
  );
}

export function RunsTableView() {
  const [st, set] = useUrlState(RUNS_TABLE_DEFAULTS);
  const [picking, setPicking] = useState(false);
  const url = runsTableUrl(st);
  const q = useQuery({
    queryKey: ['runs-table', url],
    queryFn: () => apiGet<RunsTable>(url),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => liveInterval(!!query.state.data && anyLive(query.state.data.rows)),
  });
  const cols = splitList(st.cols);
  const selected = splitList(st.sel);
  const page = Number(st.page) || 0;
  const toggle = (id: string) =>
    set({ sel: (selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]).join(',') });
  const sortBy = (field: string) =>
    set({ sort: field, dir: st.sort === field && st.dir === 'desc' ? 'asc' : 'desc', page: '0' });
  const arrow = (field: string) => (st.sort === field ? (st.dir === 'asc' ? ' ▲' : ' ▼') : '');
  const th = (field: string, title: string, num = false) => (
    <th
      key={field}
      className={num ? 'num' : undefined}
      aria-sort={st.sort === field ? (st.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button type="button" className="th-sort" onClick={() => sortBy(field)} data-testid={`sort-${field}`}>
        {title}
        {arrow(field)}
      </button>
    </th>
  );
  const data = q.data;
  return (
    <section>
      <div className="page-head">
        <h1>Runs</h1>
        <div className="page-actions">
          <span className="muted" data-testid="runs-total">
            {data ? `${data.total.toLocaleString('en')} run${data.total === 1 ? '' : 's'}` : ''}
          </span>
          {selected.length > 0 ? (
            <Link
              className="button"
              href={`/compare?runs=${selected.join(',')}`}
              data-testid="compare-selected"
              title="Overlay the selected runs and list the config keys that differ"
            >
              Compare {selected.length} selected
            </Link>
          ) : null}
        </div>
      </div>
      <Controls>
        <TextFilter
          id="runs-q"
          label="Search"
          hint="label, sweep, tag, note"
          value={st.q}
          onApply={(v) => set({ q: v, page: '0' })}
        />
        <Select
          label="Status"
          value={st.status}
          options={[['', 'any'], ...STATUSES.map((s): [string, string] => [s, s])]}
          onChange={(status) => set({ status, page: '0' })}
          testId="runs-status"
        />
        <Select
          label="Method"
          value={st.method}
          options={[['', 'any'], ...RUN_KINDS.map((m): [string, string] => [m, m])]}
          onChange={(method) => set({ method, page: '0' })}
          testId="runs-method"
        />
        <TextFilter
          id="runs-tags"
          label="Tags"
          hint="tag, tag"
          value={st.tags}
          onApply={(v) => set({ tags: v, page: '0' })}
        />
        <TextFilter
          id="runs-where"
          label="Where"
          hint="config.lr<=3e-4; eval/loss:best<2.5"
          value={st.where}
          onApply={(v) => set({ where: v, page: '0' })}
        />
        <button type="button" className="button button-secondary" onClick={() => setPicking(!picking)}>
          Columns…
        </button>
        {st.sweep ? (
          <span className="compare-chip">
            sweep {data?.rows.find((r) => r.sweepId === st.sweep)?.sweepName ?? st.sweep}{' '}
            <button type="button" className="link-button" aria-label="any sweep" onClick={() => set({ sweep: '' })}>
              ×
            </button>
          </span>
        ) : null}
      </Controls>
      {picking && data ? (
        <fieldset className="panel column-picker" data-testid="column-picker">
          <legend>Columns</legend>
          {columnChoices(data.keys).map((c) => (
            <label key={c} className="view-check">
              <input
                type="checkbox"
                checked={cols.includes(c)}
                onChange={(e) =>
                  set({ cols: (e.target.checked ? [...cols, c] : cols.filter((x) => x !== c)).join(',') })
                }
              />{' '}
              {c}
            </label>
          ))}
        </fieldset>
      ) : null}
      {q.error ? <ErrorBox error={q.error} what="the runs" /> : null}
      {!data && !q.error ? <Loading what="the runs" /> : null}
      {data && data.total === 0 ? (
        <Empty title="No run matches">
          <p>Loosen a filter, or start a sweep.</p>
        </Empty>
      ) : null}
      {data && data.total > 0 ? (
        <>
          <div className="table-scroll">
            <table className="grid" data-testid="runs-table">
              <thead>
                <tr>
                  <th>
                    <span className="sr-only">select</span>
                  </th>
                  {th('label', 'Run')}
                  {th('method', 'Method')}
                  {th('status', 'Status')}
                  {th('sweep', 'Sweep')}
                  <th>Tags</th>
                  {cols.map((c) => th(c, columnTitle(c), true))}
                  {th('created', 'Created')}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.id} data-testid={`runs-row-${r.id}`}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`select ${r.label}`}
                        checked={selected.includes(r.id)}
                        onChange={() => toggle(r.id)}
                        data-testid={`select-${r.id}`}
                      />
                    </td>
                    <td>
                      <Link href={`/runs/${r.id}`}>{r.label}</Link>
                    </td>
                    <td>{r.kind}</td>
                    <td>
                      <span className={`status status-${r.status}`}>{r.status}</span>
                    </td>
                    <td>
                      {r.sweepId ? (
                        <button
                          type="button"
                          className="cell-link"
                          title="Only this sweep's runs"
                          onClick={() => set({ sweep: r.sweepId ?? '', page: '0' })}
                        >
                          {r.sweepName}
                        </button>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {r.tags.map((t) => (
                        <button
                          key={t}
                          type="button"
                          className="tag"
                          title={`Only runs tagged ${t}`}
                          onClick={() => set({ tags: [...new Set([...splitList(st.tags), t])].join(','), page: '0' })}
                        >
                          {t}
                        </button>
                      ))}
                    </td>
                    {cols.map((c) => (
                      <td key={c} className="num">
                        {formatColumnValue(c, r.values[c] ?? null)}
                      </td>
                    ))}
                    <td className="muted">{r.createdAt.slice(0, 16).replace('T', ' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted pager">
            {page > 0 ? (
              <button type="button" className="link-button" onClick={() => set({ page: String(page - 1) })}>
                ← newer
              </button>
            ) : null}{' '}
            runs {page * RUNS_PAGE_SIZE + 1}–{Math.min(data.total, (page + 1) * RUNS_PAGE_SIZE)} of{' '}
            {data.total.toLocaleString('en')}{' '}
            {(page + 1) * RUNS_PAGE_SIZE < data.total ? (
              <button type="button" className="link-button" onClick={() => set({ page: String(page + 1) })}>
                more →
              </button>
            ) : null}
          </p>
        </>
      ) : null}
    </section>
  );
}
