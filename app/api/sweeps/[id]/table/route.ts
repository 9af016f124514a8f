import { z } from 'zod';
import { notFound } from '@/lib/errors';
import { renderTable, TABLE_CONTENT_TYPES, TABLE_FORMATS } from '@/lib/table-formats/table';
import { ablationTable } from '@/lib/queries/table';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { parseQuery } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

const query = z.object({
  metric: z.string().min(1).max(200).default('eval/loss'),
  select: z.string().min(1).max(200).default('eval/loss'),
  format: z.enum(TABLE_FORMATS).default('json'),
});

/**
 * The γ × K ablation table, mean ± std over seeds with n, plus baseline rows, each at its best lr on `select`,
 * with seed-paired differences of every cell to every baseline; json | csv | md | latex.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    const q = parseQuery(req.url, query);
    const table = ablationTable(getContext().conn.sqlite, id, q.metric, q.select);
    if (!table) throw notFound(`sweep ${id}`);
    const headers: Record<string, string> = { 'content-type': TABLE_CONTENT_TYPES[q.format] };
    if (q.format !== 'json') {
      const ext = q.format === 'latex' ? 'tex' : q.format;
      headers['content-disposition'] = `attachment; filename="${id}-table.${ext}"`;
    }
    return new Response(renderTable(table, q.format), { headers });
  });
}
