import { revokeShare } from '@/lib/shares';
import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Revoke a share link: it stops working at once. */
export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    requireAdmin(req);
    const { id } = await ctx.params;
    revokeShare(getContext().conn.sqlite, id);
    return new Response(null, { status: 204 });
  });
}
