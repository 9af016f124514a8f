'use client';
/**
 * Browser-side API calls. Reads keep NaN/±Infinity (sent as strings by the server); mutations carry the
 * header that the server's cross-site request check expects.
 */
import { fromJson } from '@/lib/protocol/json';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const body = text ? fromJson<unknown>(text) : null;
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; problems?: { path: string; message: string }[] };
    throw new ApiError(res.status, b.error ?? `${res.status} ${res.statusText}`, b.problems);
  }
  return body as T;
}

export async function apiGet<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { credentials: 'same-origin' }));
}

export async function apiSend<T>(
  path: string,
  init: { method?: string; body?: string; contentType?: string } = {},
): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': init.contentType ?? 'application/json', 'x-layerlab-request': '1' },
    body: init.body,
  });
  return parse<T>(res);
}
