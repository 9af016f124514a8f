import { getSweep } from '@/lib/queries/runs';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { jsonWithNaN } from '@/lib/server/query';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    return jsonWithNaN(getSweep(getContext().conn.db, id));
  });
}
