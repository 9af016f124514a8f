import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN, parseQuery } from '@/lib/server/query';
import { getRun } from '@/lib/runs/read';
import { runCheckpoints } from '@/lib/queries/run-details';

export const dynamic = 'force-dynamic';

const query = z.object({});

/** The run's checkpoints: step, folder and size. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    parseQuery(req.url, query);
    const { conn } = getContext();
    getRun(conn.db, id);
    return jsonWithNaN({ runId: id, checkpoints: runCheckpoints(conn.sqlite, id) });
  });
}
