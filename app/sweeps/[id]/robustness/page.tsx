import { notFound } from 'next/navigation';
import { getContext } from '@/lib/server/context';
import { RobustnessClient } from './client';

export const dynamic = 'force-dynamic';

/** Robustness over seeds; `?m=<metric id>` (default eval/loss, the final eval loss). */
export default async function RobustnessPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ m?: string }>;
}) {
  const { id } = await params;
  const { m } = await searchParams;
  const row = getContext().conn.sqlite.prepare('SELECT name FROM sweeps WHERE id = ?').get(id) as
    | { name: string }
    | undefined;
  if (!row) notFound();
  return <RobustnessClient sweepId={id} sweepName={row.name} metric={m && m.length <= 200 ? m : 'eval/loss'} />;
}
