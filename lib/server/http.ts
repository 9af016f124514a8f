/**
 * Route-handler glue: map AppError codes to HTTP statuses once, and never leak a stack trace. Bodies: ./body.ts.
 */
import { NextResponse } from 'next/server';
import { AppError, type ErrorCode } from '../errors';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_spec: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
};

export function errorResponse(e: unknown): NextResponse {
  if (e instanceof AppError) {
    return NextResponse.json({ error: e.message, code: e.code, problems: e.problems }, { status: STATUS[e.code] });
  }
  console.error('[layerlab] unexpected error:', e);
  return NextResponse.json({ error: 'internal error; see the server log', code: 'internal' }, { status: 500 });
}

/** Run a handler body, turning thrown errors into JSON responses. */
export async function handle(fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * The origin the client used (from the Host header): `next start` reports request URLs on `localhost`
 * whatever address was asked, and a link or redirect on another host would lose the client's cookies.
 */
export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  const host = req.headers.get('host');
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0].trim() || url.protocol.replace(':', '');
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${proto}://${host}` : url.origin;
}
