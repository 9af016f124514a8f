import { requireRead, viewerOf } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { jsonWithNaN } from '@/lib/server/query';
import { handle } from '@/lib/server/http';
import { sweepAnswer } from '@/lib/server/sweep-answer';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    return jsonWithNaN(sweepAnswer(getContext(), id, viewerOf(req)));
  });
}
