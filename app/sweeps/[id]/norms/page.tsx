import { HydrationBoundary } from '@tanstack/react-query';
import { Suspense } from 'react';
import { normsPageData, type Search } from '@/app/components/page-data';
import { NormsView } from './NormsView';

/** The Figure-2 view: its norms seeded and its chart drawn by the server (app/components/page-data.ts). */
export default async function SweepNormsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const { id } = await params;
  const page = await normsPageData(id, await searchParams);
  return (
    <Suspense fallback={null}>
      <HydrationBoundary state={page?.state}>
        <NormsView id={id} preview={page?.previews.figure2?.svg} />
      </HydrationBoundary>
    </Suspense>
  );
}
