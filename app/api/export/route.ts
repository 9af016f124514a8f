import { z } from 'zod';
import { renderSvg } from '@/app/components/echarts';
import { notFound } from '@/lib/errors';
import { exportFileName } from '@/lib/report/html';
import { exportHtml, exportRef, exportView } from '@/lib/report/views';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { parseQuery } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

const query = z.object({ path: z.string().min(1).max(2000) });

/**
 * `GET /api/export?path=/sweeps/<id>/table?m=eval/loss` → one self-contained HTML file (attachment) with the
 * view's tables and its charts as inline SVG. Views: /sweeps/<id> (curves), /table, /norms, /robustness.
 */
export async function GET(req: Request) {
  return handle(() => {
    const { path } = parseQuery(req.url, query);
    const ref = exportRef(path);
    requireRead(req, { sweepId: ref.sweepId });
    const view = exportView(getContext().conn.sqlite, ref);
    if (!view) throw notFound(`sweep ${ref.sweepId}`);
    return new Response(exportHtml(view, path, renderSvg), {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-disposition': `attachment; filename="${exportFileName(path)}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
