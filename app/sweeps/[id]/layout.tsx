import { HydrationBoundary } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { sweepLayoutState } from '@/app/components/page-data';
import { sweepExists } from '@/lib/queries/runs';
import { getContext } from '@/lib/server/context';
import { SweepHeader } from './SweepHeader';

export const dynamic = 'force-dynamic';

/** Every sweep view: the sweep's name and status, the view tabs, and Share; the view below. 404 for an unknown id. */
export default async function SweepLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ id: string }>;
}) {
  const { id } = await params;
  if (!sweepExists(getContext().conn.sqlite, id)) notFound();
  return (
    <HydrationBoundary state={await sweepLayoutState(id)}>
      <Suspense fallback={null}>
        <SweepHeader id={id} />
      </Suspense>
      {children}
    </HydrationBoundary>
  );
}
