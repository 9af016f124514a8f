import { NextResponse } from 'next/server';
import { badRequest } from '@/lib/errors';
import { createSweep, parseOrThrow, planDryRun } from '@/lib/sweep/create';
import { specFromCommand } from '@/lib/sweep/from-command';
import { MAX_SPEC_BYTES } from '@/lib/sweep';
import { pathRoots } from '@/lib/sweep/paths';
import { requireAdmin, requireCommandAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { readBody } from '@/lib/server/body';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * POST a sweep spec (YAML or JSON). `?dryRun=1` returns the plan with estimates and stores nothing.
 * `?from=command`: the body is a pasted ms-swift / LMFlow command line; the answer is a spec draft, nothing stored.
 */
export async function POST(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    const { conn, env, scheduler, slurm } = getContext();
    const text = await readBody(req, MAX_SPEC_BYTES);
    const from = new URL(req.url).searchParams.get('from');
    if (from !== null && from !== 'command') throw badRequest(`from=${from}: the only source is from=command`);
    if (from === 'command') {
      if (!text.trim()) throw badRequest('empty body: paste an ms-swift or LMFlow command line');
      return NextResponse.json(specFromCommand(text));
    }
    if (!text.trim()) throw badRequest('empty body: send a sweep spec as YAML or JSON');
    // A command sweep's default workdir is the server's working folder (docs/command-sweeps.md).
    const roots = pathRoots(env.dataHome);
    const spec = parseOrThrow(text, req.headers.get('content-type') ?? undefined, roots, process.cwd());
    if (spec.command) requireCommandAdmin(req);
    const dry = new URL(req.url).searchParams.get('dryRun');
    if (dry === '1' || dry === 'true') {
      const executor = { kind: scheduler.defaultExecutor, slurmDefaults: slurm.options(undefined) };
      const slots = scheduler.slotsFor(spec.executor?.kind ?? scheduler.defaultExecutor);
      return NextResponse.json(planDryRun(conn, spec, slots, executor));
    }
    const created = createSweep(conn, env.dataHome, spec);
    scheduler.tick();
    return NextResponse.json(created, { status: 201 });
  });
}
