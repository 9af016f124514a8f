'use client';
/** View 9: chosen runs overlaid. URL: runs=a,b,c, key, s (EMA), log. */
import { useState } from 'react';
import { RunSeries } from '@/app/components/runs/RunSeries';
import { Controls, Empty, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useRuns } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { sortKeys } from '@/lib/views/metrics';
import { anyLive } from '@/lib/views/types';

export function CompareView() {
  const [st, set] = useUrlState({ runs: '', key: 'train/loss', s: '0', log: '0' });
  const ids = [
    ...new Set(
      st.runs
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].slice(0, 20);
  const [draft, setDraft] = useState('');
  const runs = useRuns(ids);
  const add = (
    <form
      className="view-field"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.trim()) set({ runs: [...ids, draft.trim()].join(',') });
        setDraft('');
      }}
    >
      <span>Add run id</span>
      <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="r-…" />
    </form>
  );
  if (ids.length === 0) {
    return (
      <>
        <h1>Compare runs</h1>
        <Empty title="No runs chosen">
          <p>
            Open a run and press “compare…”, or add run ids here; the URL{' '}
            <code>/compare?runs=a,b&amp;key=train/loss</code> keeps the choice.
          </p>
          {add}
        </Empty>
      </>
    );
  }
  const error = runs.find((r) => r.error)?.error;
  if (error) return <ErrorBox error={error} what="the runs" />;
  if (!runs.every((r) => r.data)) return <Loading what="the runs" />;
  const data = runs.map((r) => r.data!);
  const keys = sortKeys(['train/loss', 'eval/loss', ...data.flatMap((r) => Object.keys(r.latest))]);
  return (
    <section>
      <h1>Compare runs</h1>
      <Controls>
        <Select
          label="Metric"
          value={st.key}
          options={keys.map((k): [string, string] => [k, k])}
          onChange={(key) => set({ key })}
          testId="compare-key"
        />
        <Select
          label="EMA smoothing"
          value={st.s}
          options={['0', '0.6', '0.9'].map((s): [string, string] => [s, s === '0' ? 'off' : s])}
          onChange={(s) => set({ s })}
        />
        <Toggle label="log y" checked={st.log === '1'} onChange={(v) => set({ log: v ? '1' : '0' })} />
        {add}
      </Controls>
      <p className="muted">
        {data.map((r) => (
          <span key={r.id} className="compare-chip">
            <a href={`/runs/${r.id}`}>{r.label}</a>{' '}
            <button
              type="button"
              className="link-button"
              aria-label={`remove ${r.label}`}
              onClick={() => set({ runs: ids.filter((i) => i !== r.id).join(',') })}
            >
              ×
            </button>
          </span>
        ))}
      </p>
      <RunSeries
        id="compare"
        runs={data.map((r) => ({ id: r.id, label: r.label }))}
        metric={st.key}
        live={anyLive(data)}
        smoothing={Number(st.s) || 0}
        log={st.log === '1'}
        height={420}
      />
    </section>
  );
}
