import { Suspense } from 'react';
import { TableView } from './TableView';

export default async function SweepTablePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense fallback={null}>
      <TableView id={id} />
    </Suspense>
  );
}
