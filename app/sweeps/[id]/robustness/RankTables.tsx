import { formatPercent, formatSpread } from '@/lib/format';
import type { Robustness } from '@/lib/views/robustness';

/** Per-seed ranks with CV, and τ / ρ for every pair of seeds. */
export function RankTables({
  r,
  better,
  running = false,
}: {
  r: Robustness;
  better: 'lower' | 'higher';
  running?: boolean;
}) {
  return (
    <div className="two-col">
      <section>
        <h2>
          Ranks per seed <span className="muted">(1 = best; {better} is better)</span>
        </h2>
        <table className="grid" data-testid="rank-table">
          <thead>
            <tr>
              <th>Configuration</th>
              {r.seeds.map((s) => (
                <th key={s} className="num">
                  seed {s}
                </th>
              ))}
              <th className="num">n</th>
              <th className="num">mean ± std</th>
              <th className="num">CV</th>
            </tr>
          </thead>
          <tbody>
            {r.configs.map((c) => (
              <tr key={c.label}>
                <td>{c.label}</td>
                {r.seeds.map((s) => (
                  <td key={s} className="num">
                    {c.ranks[s] ?? '—'}
                  </td>
                ))}
                <td className="num">
                  {c.stats.n}
                  {c.stats.nonFinite ? ` (+${c.stats.nonFinite} NaN)` : ''}
                </td>
                <td className="num">{formatSpread(c.stats, running)}</td>
                <td className="num">{formatPercent(c.stats.cv, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Agreement between seeds</h2>
        {r.pairs.length === 0 ? (
          <p className="muted">Needs at least two seeds.</p>
        ) : (
          <table className="grid" data-testid="pair-table">
            <thead>
              <tr>
                <th>Seeds</th>
                <th className="num">configs</th>
                <th className="num">Kendall τ</th>
                <th className="num">Spearman ρ</th>
                <th>Same best?</th>
              </tr>
            </thead>
            <tbody>
              {r.pairs.map((p) => (
                <tr key={`${p.a}-${p.b}`}>
                  <td>
                    {p.a} vs {p.b}
                  </td>
                  <td className="num">{p.n}</td>
                  <td className="num">{Number.isFinite(p.kendall) ? p.kendall.toFixed(2) : '—'}</td>
                  <td className="num">{Number.isFinite(p.spearman) ? p.spearman.toFixed(2) : '—'}</td>
                  <td>{p.sameBest ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">
          τ = 1: the seeds order the configurations identically; 0: no relation; −1: reversed.
        </p>
      </section>
    </div>
  );
}
