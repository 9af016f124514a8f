import { NextResponse } from 'next/server';
import { getSweep } from '@/lib/runs/read';
import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    requireAdmin(req);
    const { id } = await ctx.params;
    return NextResponse.json(getSweep(getContext().conn.db, id));
  });
}
