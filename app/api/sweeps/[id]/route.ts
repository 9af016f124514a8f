import { getSweep, redactSweep } from '@/lib/queries/runs';
import { requireRead, viewerOf } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { sweepPlacement } from '@/lib/server/placement';
import { jsonWithNaN } from '@/lib/server/query';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    const context = getContext();
    const sweep = getSweep(context.conn.db, id);
    const placement = sweepPlacement(
      context,
      sweep.spec,
      sweep.runs.map((r) => r.id),
    );
    // A share link never sees a command sweep's program, command or environment.
    return jsonWithNaN({ ...(viewerOf(req).role === 'share' ? redactSweep(sweep) : sweep), placement });
  });
}
