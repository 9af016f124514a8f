/**
 * Request bodies for route handlers: read with a byte cap (413 past it), and JSON bodies validated by a zod
 * schema (400 naming bad JSON, or every schema problem by path). The body-side twin of ./query.ts.
 */
import type { z } from 'zod';
import { AppError, badRequest } from '../errors';

/** Read a request body as UTF-8 text with a size cap in bytes, declared (Content-Length) or streamed. */
export async function readBody(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AppError('too_large', `request body over ${maxBytes} bytes`);
  const reader = req.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new AppError('too_large', `request body over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface JsonBodyOptions<T extends z.ZodType> {
  /** The error message for a body that is not JSON (default "body is not valid JSON"). */
  notJson?: string;
  /** The error message over the schema's problems (default "invalid request body"). */
  invalid?: string;
  /** What a blank body means; without it a blank body is not JSON. */
  blank?: z.input<T>;
}

/** A JSON body of at most `maxBytes`, validated by `schema`: its output, or an AppError (413 or 400). */
export async function parseJsonBody<T extends z.ZodType>(
  req: Request,
  schema: T,
  maxBytes: number,
  options: JsonBodyOptions<T> = {},
): Promise<z.output<T>> {
  const text = await readBody(req, maxBytes);
  let raw: unknown;
  try {
    raw = options.blank !== undefined && text.trim() === '' ? options.blank : JSON.parse(text);
  } catch {
    throw badRequest(options.notJson ?? 'body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw badRequest(options.invalid ?? 'invalid request body', problems);
  }
  return parsed.data;
}
