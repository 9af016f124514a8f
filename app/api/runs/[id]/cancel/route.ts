import { conflict } from '@/lib/errors';
import { getRun } from '@/lib/queries/runs';
import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { jsonWithNaN } from '@/lib/server/query';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    requireAdmin(req);
    const { id } = await ctx.params;
    const { conn, scheduler } = getContext();
    const run = getRun(conn.db, id);
    if (!(await scheduler.cancel(id)))
      throw conflict(`run ${id} is ${run.status}; only queued or running runs can be cancelled`);
    return jsonWithNaN(getRun(conn.db, id));
  });
}
