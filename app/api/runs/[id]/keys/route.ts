import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN, parseQuery } from '@/lib/server/query';
import { getRun } from '@/lib/runs/read';
import { seriesKeys } from '@/lib/queries/series';

export const dynamic = 'force-dynamic';

const query = z.object({});

/** The run's metric keys with their latest step and value. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    parseQuery(req.url, query);
    const { conn } = getContext();
    getRun(conn.db, id);
    return jsonWithNaN({ runId: id, keys: seriesKeys(conn.sqlite, id) });
  });
}
