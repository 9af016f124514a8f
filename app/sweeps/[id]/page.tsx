import { Suspense } from 'react';
import { curvesPageData, type Search } from '@/app/components/page-data';
import { CurvesView } from './CurvesView';

/** The curves view, with its charts drawn by the server for the first paint (app/components/page-data.ts). */
export default async function SweepCurvesPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const { id } = await params;
  const page = await curvesPageData(id, await searchParams);
  return (
    <Suspense fallback={null}>
      <CurvesView id={id} previews={page?.previews} />
    </Suspense>
  );
}
