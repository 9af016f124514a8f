import { getContext } from '@/lib/server/context';
import { overviewData } from '@/lib/views/overview';
import { OverviewClient } from './overview/OverviewClient';

export const dynamic = 'force-dynamic';

/** Sweeps and recent runs, live: rendered once here, then polled by the client (GET /api/home). */
export default function HomePage() {
  const { conn } = getContext();
  return <OverviewClient initial={overviewData(conn.db, conn.sqlite)} />;
}
