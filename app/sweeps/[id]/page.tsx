import { Suspense } from 'react';
import { CurvesView } from './CurvesView';

export default async function SweepCurvesPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={null}>
      <CurvesView id={id} />
    </Suspense>
  );
}
