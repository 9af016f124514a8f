/**
 * URL query parsing for read routes: zod schemas over searchParams, errors as 400 with every problem named.
 */
import { z } from 'zod';
import { AppError } from '../errors';
import { toJson } from '../protocol/json';

export function parseQuery<T extends z.ZodType>(url: string, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(url).searchParams.entries());
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message }));
    throw new AppError(
      'bad_request',
      `invalid query: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return parsed.data;
}

/** JSON response that keeps NaN and ±Infinity as "NaN"/"Infinity" strings (lib/protocol/json.ts). */
export function jsonWithNaN(value: unknown, status = 200): Response {
  return new Response(toJson(value), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

export const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
