import { Suspense } from 'react';
import { RunsTableView } from './RunsTableView';

export const dynamic = 'force-dynamic';

export default function RunsPage() {
  return (
    <Suspense fallback={null}>
      <RunsTableView />
    </Suspense>
  );
}
