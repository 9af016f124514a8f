import { NextResponse } from 'next/server';
import { probeBackends } from '@/lib/backends';
import { getContext } from '@/lib/server/context';
import { schemaVersion } from '@/db';
import pkg from '@/package.json';

export const dynamic = 'force-dynamic';

export function GET() {
  const { env, conn } = getContext();
  return NextResponse.json({
    ok: true,
    name: 'layerlab',
    version: pkg.version,
    node: process.version,
    dataHome: env.dataHome,
    database: conn.file,
    schema: schemaVersion(conn.sqlite),
    backends: probeBackends(),
  });
}
