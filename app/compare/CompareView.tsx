'use client';
/**
 * View 9: chosen runs overlaid, with the config keys that differ between them. URL: runs=a,b,c, key (one metric
 * or several, comma-separated), s (EMA), log. Runs are picked in the runs table or on a sweep page.
 */
import { Link } from '@/app/components/link';
import { CompareChart } from './CompareChart';
import { Controls, Empty, ErrorBox, Loading, Select, Toggle } from '@/app/components/Status';
import { useRuns } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { configDiff } from '@/lib/views/config-diff';
import { compareLines } from '@/lib/views/compare';
import { sortKeys } from '@/lib/views/metrics';
import { splitList } from '@/lib/views/runs-table';
import { anyLive } from '@/lib/views/types';

export function CompareView() {
  const [st, set] = useUrlState({ runs: '', key: 'train/loss', s: '0', log: '0' });
  const ids = [...new Set(splitList(st.runs))].slice(0, 20);
  const metrics = [...new Set(splitList(st.key))];
  const runs = useRuns(ids);
  const pick = (
    <Link className="button button-secondary" href={`/runs${ids.length ? `?sel=${ids.join(',')}` : ''}`}>
      Pick runs in the runs table
    </Link>
  );
  if (ids.length === 0) {
    return (
      <>
        <h1>Compare runs</h1>
        <Empty title="No runs chosen">
          <p>
            Tick runs in the runs table or on a sweep page and press “Compare”; the URL{' '}
            <code>/compare?runs=a,b&amp;key=train/loss,eval/loss</code> keeps the choice.
          </p>
          {pick}
        </Empty>
      </>
    );
  }
  const error = runs.find((r) => r.error)?.error;
  if (error) return <ErrorBox error={error} what="the runs" />;
  if (!runs.every((r) => r.data)) return <Loading what="the runs" />;
  const data = runs.map((r) => r.data!);
  const keys = sortKeys(['train/loss', 'eval/loss', ...data.flatMap((r) => Object.keys(r.latest))]);
  const lines = compareLines(data, metrics.slice(0, 1));
  const colour = new Map(lines.map((l) => [l.runId, l.color]));
  const diff = configDiff(data);
  const tick = (key: string, on: boolean) => {
    const next = on ? [...metrics, key] : metrics.filter((m) => m !== key);
    set({ key: (next.length ? next : ['train/loss']).join(',') });
  };
  return (
    <section>
      <div className="page-head">
        <h1>Compare runs</h1>
        <div className="page-actions">{pick}</div>
      </div>
      <Controls>
        <Select
          label="Metric"
          value={metrics[0] ?? 'train/loss'}
          options={keys.map((k): [string, string] => [k, k])}
          onChange={(key) => set({ key: [key, ...metrics.slice(1).filter((m) => m !== key)].join(',') })}
          testId="compare-key"
        />
        <Select
          label="EMA smoothing"
          value={st.s}
          options={['0', '0.6', '0.9'].map((s): [string, string] => [s, s === '0' ? 'off' : s])}
          onChange={(s) => set({ s })}
        />
        <Toggle label="log y" checked={st.log === '1'} onChange={(v) => set({ log: v ? '1' : '0' })} />
      </Controls>
      <fieldset className="column-picker" data-testid="compare-metrics">
        <legend className="muted">Also in the same chart</legend>
        {keys
          .filter((k) => k !== metrics[0])
          .map((k) => (
            <label key={k} className="view-check">
              <input type="checkbox" checked={metrics.includes(k)} onChange={(e) => tick(k, e.target.checked)} /> {k}
            </label>
          ))}
      </fieldset>
      <p className="muted">
        {data.map((r) => (
          <span key={r.id} className="compare-chip">
            <span style={{ color: colour.get(r.id) }} aria-hidden="true">
              ■
            </span>{' '}
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
      <CompareChart
        runs={data}
        metrics={metrics.length ? metrics : ['train/loss']}
        live={anyLive(data)}
        smoothing={Number(st.s) || 0}
        log={st.log === '1'}
      />
      <h2>Config diff</h2>
      {data.length < 2 ? (
        <p className="muted">Choose a second run to see what differs.</p>
      ) : diff.length === 0 ? (
        <p className="muted" data-testid="config-diff-none">
          These runs have the same config (run folders aside).
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid config-diff" data-testid="config-diff">
            <caption className="muted">Only the config keys whose values differ between the runs.</caption>
            <thead>
              <tr>
                <th>key</th>
                {data.map((r) => (
                  <th key={r.id}>
                    <span style={{ color: colour.get(r.id) }}>■</span> {r.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {diff.map((row) => (
                <tr key={row.key} data-testid={`diff-${row.key}`}>
                  <th scope="row">{row.key}</th>
                  {row.values.map((v, i) => (
                    <td key={data[i].id}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
