'use client';
/**
 * The sweep's runs by configuration (in the charts' colours) with a checkbox each: tick some and compare them.
 * The ticked runs are in the URL (`sel`), so the page reopens with them.
 */
import { Link } from '@/app/components/link';
import type { RunJson } from '@/app/components/data';
import { useUrlState } from '@/app/components/url-state';
import { formatNumber } from '@/lib/format';
import type { ConfigGroup } from '@/lib/views/groups';
import { splitList } from '@/lib/views/runs-table';

export function SweepRuns({ groups, runs }: { groups: ConfigGroup[]; runs: RunJson[] }) {
  const [st, set] = useUrlState({ sel: '' });
  const selected = splitList(st.sel);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const toggle = (id: string) =>
    set({ sel: (selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]).join(',') });
  return (
    <section aria-label="Runs of the sweep">
      <div className="page-head">
        <h2>Runs</h2>
        <div className="page-actions">
          {selected.length > 0 ? (
            <Link className="button" href={`/compare?runs=${selected.join(',')}`} data-testid="compare-selected">
              Compare {selected.length} selected
            </Link>
          ) : (
            <span className="muted">Tick runs to compare them</span>
          )}
        </div>
      </div>
      <table className="grid" data-testid="sweep-runs">
        <thead>
          <tr>
            <th>
              <span className="sr-only">select</span>
            </th>
            <th>Configuration</th>
            <th>Run</th>
            <th>Status</th>
            <th className="num">final eval/loss</th>
          </tr>
        </thead>
        <tbody>
          {groups.flatMap((g) =>
            g.runs.map((info) => {
              const r = byId.get(info.id);
              const final = r?.latest['eval/loss']?.value;
              return (
                <tr key={info.id} data-testid={`sweep-run-${info.id}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`select ${info.label}`}
                      checked={selected.includes(info.id)}
                      onChange={() => toggle(info.id)}
                      data-testid={`select-${info.id}`}
                    />
                  </td>
                  <td>
                    <span style={{ color: g.style.color }} aria-hidden="true">
                      ■
                    </span>{' '}
                    {g.label}
                  </td>
                  <td>
                    <Link href={`/runs/${info.id}`}>{info.label}</Link>
                  </td>
                  <td>
                    <span className={`status status-${info.status}`}>{info.status}</span>
                  </td>
                  <td className="num">{final === undefined ? '—' : formatNumber(final)}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </section>
  );
}
