import { Suspense } from 'react';
import { NormsView } from './NormsView';

export default async function SweepNormsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={null}>
      <NormsView id={id} />
    </Suspense>
  );
}
