import { Suspense } from 'react';
import { RunView } from './RunView';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={null}>
      <RunView id={id} />
    </Suspense>
  );
}
