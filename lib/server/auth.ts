/**
 * Admin access. Without LAYERLAB_ADMIN_TOKEN the server is single-user on loopback (lib/env.ts refuses any
 * other address), so everything is allowed. With a token, callers present it as `Authorization: Bearer`.
 */
import crypto from 'node:crypto';
import { AppError } from '../errors';
import { getContext } from './context';

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function bearer(req: Request): string | null {
  const h = req.headers.get('authorization');
  const m = h?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1] : null;
}

export function requireAdmin(req: Request): void {
  const token = getContext().env.LAYERLAB_ADMIN_TOKEN;
  if (!token) return;
  const given = bearer(req);
  if (!given) throw new AppError('unauthorized', 'this server needs the admin token: send Authorization: Bearer <LAYERLAB_ADMIN_TOKEN>');
  if (!sameSecret(given, token)) throw new AppError('forbidden', 'wrong admin token');
}
