'use client';
import { formatDuration } from '@/lib/format';
import type { DryRun } from '@/lib/sweep/dry-run';

const mib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`);

/** The dry run: how many runs, how long, how much memory, and on which assumptions. */
export function PlanPreview({ plan, stale }: { plan: DryRun; stale: boolean }) {
  const t = plan.totals;
  const all = plan.pretrain ? [plan.pretrain, ...plan.runs] : plan.runs;
  return (
    <section className={`panel plan${stale ? ' stale' : ''}`} data-testid="plan-preview" aria-busy={stale}>
      <div className="plan-totals">
        <div>
          <strong data-testid="plan-run-count">{t.runs}</strong>{' '}
          <span className="muted">fine-tune runs{plan.pretrain ? ' + 1 pretrain' : ''}</span>
        </div>
        <div>
          <strong>{formatDuration(t.parallelSeconds * 1000)}</strong>{' '}
          <span className="muted">
            {`estimated wall time on ${t.slots} slot${t.slots === 1 ? '' : 's'} ` +
              `(${formatDuration(t.serialSeconds * 1000)} serial)`}
          </span>
        </div>
        <div>
          <strong>{mib(t.peakMemoryBytes)}</strong>{' '}
          <span className="muted">
            largest run; {mib(t.concurrentMemoryBytes)} for {t.slots} at once
          </span>
        </div>
        <div>
          <strong>{t.steps.toLocaleString('en')}</strong>{' '}
          <span className="muted">steps, {t.tokens.toLocaleString('en')} tokens</span>
        </div>
      </div>
      {plan.duplicates.length ? (
        <p className="muted">
          {plan.duplicates.length} duplicate configuration(s) planned once:{' '}
          {plan.duplicates.map((d) => d.label).join(', ')}
        </p>
      ) : null}
      <div className="plan-runs">
        <table className="grid" data-testid="plan-runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Method</th>
              <th className="num">Seed</th>
              <th className="num">Steps</th>
              <th className="num">Est. time</th>
              <th className="num">Est. peak memory</th>
              <th>Throughput</th>
            </tr>
          </thead>
          <tbody>
            {all.map((r) => (
              <tr key={r.key}>
                <td>{r.label}</td>
                <td>{r.kind}</td>
                <td className="num">{r.seed}</td>
                <td className="num">{r.config.steps}</td>
                <td className="num">{r.estimate.reused ? 'reused' : formatDuration(r.estimate.seconds * 1000)}</td>
                <td
                  className="num"
                  title={Object.entries(r.estimate.memory.breakdown)
                    .map(([k, v]) => `${k} ${mib(v)}`)
                    .join(', ')}
                >
                  {mib(r.estimate.memory.peakBytes)}
                </td>
                <td className="muted">
                  {r.estimate.tokensPerS.toLocaleString('en')} tok/s ({r.estimate.throughput})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {all.some((r) => r.sbatch) ? (
        <details className="plan-sbatch" data-testid="plan-sbatch">
          <summary>sbatch lines (Slurm)</summary>
          {all.map((r) => (
            <div key={r.key}>
              <div className="muted">{r.label}</div>
              <pre>{r.sbatch}</pre>
            </div>
          ))}
        </details>
      ) : null}
      <h3>Assumptions</h3>
      <ul className="assumptions">
        {plan.assumptions.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
    </section>
  );
}
