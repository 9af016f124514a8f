import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { runExists } from '@/lib/queries/runs';
import { getContext } from '@/lib/server/context';
import { RunView } from './RunView';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!runExists(getContext().conn.sqlite, id)) notFound();
  return (
    <Suspense fallback={null}>
      <RunView id={id} />
    </Suspense>
  );
}
