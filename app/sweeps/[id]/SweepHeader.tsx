'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ExportButton } from '@/app/components/ExportButton';
import { ShareButton } from '@/app/components/ShareButton';
import { useSweep } from '@/app/components/data';

const TABS: [string, string][] = [
  ['', 'Curves'],
  ['/table', 'Table'],
  ['/norms', 'Norms'],
  ['/robustness', 'Robustness'],
];

export function SweepHeader({ id }: { id: string }) {
  const pathname = usePathname();
  const sweep = useSweep(id);
  const runs = sweep.data?.runs.filter((r) => r.kind !== 'pretrain') ?? [];
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const base = `/sweeps/${id}`;
  return (
    <header className="sweep-head">
      <div className="sweep-title">
        <h1>{sweep.data?.name ?? id}</h1>
        <span className="muted">
          {runs.length} runs
          {[...counts].map(([s, n]) => (
            <span key={s} className={`status status-${s}`} style={{ marginLeft: 6 }}>
              {n} {s}
            </span>
          ))}
        </span>
        <span className="sweep-actions">
          <ExportButton />
          <ShareButton />
        </span>
      </div>
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
