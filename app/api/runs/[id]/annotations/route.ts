import { annotationsBody, setAnnotations } from '@/lib/annotations';
import { requireAdmin } from '@/lib/server/auth';
import { parseJsonBody } from '@/lib/server/body';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

/** Set the run's tags and/or note (lib/annotations): answers the run's annotations as stored. */
export async function PUT(req: Request, route: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    requireAdmin(req);
    const { id } = await route.params;
    const input = await parseJsonBody(req, annotationsBody, 256 * 1024, { invalid: 'invalid tags or note' });
    return jsonWithNaN(setAnnotations(getContext().conn.sqlite, 'run', id, input));
  });
}
