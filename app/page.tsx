import { getContext } from '@/lib/server/context';
import { homeData } from '@/lib/views/home';
import { HomeClient } from './home/HomeClient';

export const dynamic = 'force-dynamic';

/** Sweeps and recent runs, live: rendered once here, then polled by the client (GET /api/home). */
export default function HomePage() {
  const { conn } = getContext();
  return <HomeClient initial={homeData(conn.db, conn.sqlite)} />;
}
