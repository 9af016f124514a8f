import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN } from '@/lib/server/query';
import { overviewData } from '@/lib/views/overview';

export const dynamic = 'force-dynamic';

/** Sweeps and recent runs with status, progress and ETA: what the overview page (/) polls. */
export async function GET(req: Request) {
  return handle(() => {
    requireAdmin(req);
    const { conn } = getContext();
    return jsonWithNaN(overviewData(conn.db, conn.sqlite));
  });
}
