import { z } from 'zod';
import { renderSvg } from '@/app/components/echarts';
import { AppError } from '@/lib/errors';
import { buildHtml, exportFileName } from '@/lib/export/html';
import { exportView, parseViewPath } from '@/lib/export/views';
import { TableMetricError } from '@/lib/queries/table-metric';
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
    const ref = parseViewPath(path);
    if (!ref)
      throw new AppError(
        'bad_request',
        `cannot export "${path}": use /sweeps/<id>, /sweeps/<id>/table, /sweeps/<id>/norms or /sweeps/<id>/robustness`,
      );
    requireRead(req, { sweepId: ref.sweepId });
    let view: ReturnType<typeof exportView>;
    try {
      view = exportView(getContext().conn.sqlite, ref);
    } catch (e) {
      if (e instanceof TableMetricError || e instanceof RangeError) throw new AppError('bad_request', e.message);
      throw e;
    }
    if (!view) throw new AppError('not_found', `sweep ${ref.sweepId} not found`);
    const html = buildHtml({
      title: view.title,
      subtitle: `View ${path} · exported ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      sections: view.sections.map((s) => ({
        heading: s.heading,
        note: s.note,
        table: s.table,
        svg: s.option ? renderSvg(s.option, 900, 440) : undefined,
      })),
    });
    return new Response(html, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-disposition': `attachment; filename="${exportFileName(path)}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
