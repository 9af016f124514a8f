import { z } from 'zod';
import { runLogs } from '@/lib/queries/run-details';
import { intParam } from '@/lib/server/query';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

const query = z.object({
  limit: intParam(1, 2_000).default(200),
  bytes: intParam(1, 1_048_576).default(16_384),
});

/** The run's last log events and the tail of its stderr (human-readable progress). */
export const GET = runReadRoute(query, (run, q, { conn }) => ({
  runId: run.id,
  ...runLogs(conn.sqlite, run.id, run.dir, q.limit, q.bytes),
}));
