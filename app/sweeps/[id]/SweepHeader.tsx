'use client';
import { Link } from '@/app/components/link';
import { usePathname } from 'next/navigation';
import { Annotations } from '@/app/components/Annotations';
import { ExportButton } from '@/app/components/ExportButton';
import { ShareButton } from '@/app/components/ShareButton';
import { type SweepJson, useSweep } from '@/app/components/data';
import { sweepKey } from '@/lib/views/page-state';

const TABS: [string, string][] = [
  ['', 'Curves'],
  ['/table', 'Table'],
  ['/norms', 'Norms'],
  ['/robustness', 'Robustness'],
];

/** Where the runs execute: the executor and, on Slurm, each job's id and state, or that Slurm is unreachable. */
function Placement({ sweep }: { sweep: SweepJson | undefined }) {
  const p = sweep?.placement;
  if (!p) return null;
  const states = new Map<string, number>();
  for (const j of p.jobs) {
    const key = j.reason ? `${j.state} (${j.reason})` : j.state;
    states.set(key, (states.get(key) ?? 0) + 1);
  }
  const ids = p.jobs.map((j) => j.id);
  return (
    <span className="muted" data-testid="sweep-executor">
      {' · '}on {p.executor}
      {p.unreachable ? <span className="bad"> · Slurm unreachable: {p.unreachable}</span> : null}
      {ids.length > 0 ? (
        <span title={p.jobs.map((j) => `${j.id} ${j.state}${j.reason ? ` (${j.reason})` : ''}`).join('\n')}>
          {` · jobs ${ids.length > 6 ? `${ids.slice(0, 6).join(', ')}, …` : ids.join(', ')}: `}
          {[...states].map(([s, n]) => `${n} ${s}`).join(', ')}
        </span>
      ) : null}
    </span>
  );
}

export function SweepHeader({ id }: { id: string }) {
  const pathname = usePathname();
  const sweep = useSweep(id);
  const runs = sweep.data?.runs.filter((r) => r.kind !== 'pretrain') ?? [];
  const pretrain = sweep.data?.runs.filter((r) => r.kind === 'pretrain').length ?? 0;
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const base = `/sweeps/${id}`;
  return (
    <header className="sweep-head">
      <div className="sweep-title">
        <h1>{sweep.data?.name ?? id}</h1>
        <span className="muted">
          {runs.length} runs{pretrain ? ` + ${pretrain} pretrain` : ''}
          {[...counts].map(([s, n]) => (
            <span key={s} className={`status status-${s}`} style={{ marginLeft: 6 }}>
              {n} {s}
            </span>
          ))}
        </span>
        <Placement sweep={sweep.data} />
        <span className="sweep-actions">
          <ExportButton />
          <ShareButton />
        </span>
      </div>
      {sweep.data ? (
        <Annotations target="sweep" id={id} value={sweep.data.annotations} queryKey={sweepKey(id)} />
      ) : null}
      <nav className="tabs" aria-label="Sweep views">
        {TABS.map(([suffix, label]) => {
          const href = base + suffix;
          const active = suffix === '' ? pathname === base : pathname.startsWith(href);
          return (
            <Link
              key={label}
              href={href}
              className={active ? 'tab active' : 'tab'}
              aria-current={active ? 'page' : undefined}
            >
              {label}
            </Link>
          );
        })}
      </nav>
    </header>
  );
}
