import { notFound } from 'next/navigation';
import { sweepName } from '@/lib/queries/runs';
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
  const name = sweepName(getContext().conn.sqlite, id);
  if (name === undefined) notFound();
  return <RobustnessClient sweepId={id} sweepName={name} metric={m && m.length <= 200 ? m : 'eval/loss'} />;
}
