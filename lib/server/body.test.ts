import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors';
import { parseJsonBody, readBody } from './body';

const schema = z.object({ path: z.string().min(1), days: z.number().positive().default(30) }).strict();
const request = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://127.0.0.1/api/x', { method: 'POST', body, headers });
/** A body that declares no length, as a chunked upload does. */
const chunked = (chunks: number, size: number) =>
  new Request('http://127.0.0.1/api/x', {
    method: 'POST',
    duplex: 'half',
    body: new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < chunks; i++) c.enqueue(new Uint8Array(size).fill(32));
        c.close();
      },
    }),
  } as RequestInit);

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('parseJsonBody', () => {
  it('returns the schema output, defaults applied', async () => {
    await expect(parseJsonBody(request('{"path":"/a"}'), schema, 100)).resolves.toEqual({ path: '/a', days: 30 });
  });

  it('refuses a declared or a streamed body over the limit as too_large, before parsing it', async () => {
    const declared = await failure(parseJsonBody(request('{}', { 'content-length': '101' }), schema, 100));
    expect([declared.code, declared.message]).toEqual(['too_large', 'request body over 100 bytes']);
    const streamed = await failure(parseJsonBody(chunked(3, 40), schema, 100));
    expect([streamed.code, streamed.message]).toEqual(['too_large', 'request body over 100 bytes']);
  });

  it('names bad JSON with the message given, or a default', async () => {
    const own = await failure(parseJsonBody(request('{"path":'), schema, 100, { notJson: 'send {"path": …}' }));
    expect([own.code, own.message, own.problems]).toEqual(['bad_request', 'send {"path": …}', undefined]);
    const plain = await failure(parseJsonBody(request('nope'), schema, 100));
    expect([plain.code, plain.message]).toEqual(['bad_request', 'body is not valid JSON']);
  });

  it('reads a blank body as `blank` when given, else as bad JSON', async () => {
    const loose = z.object({ label: z.string().optional() });
    await expect(parseJsonBody(request(' \n'), loose, 100, { blank: {} })).resolves.toEqual({});
    await expect(parseJsonBody(request(null), loose, 100, { blank: {} })).resolves.toEqual({});
    expect((await failure(parseJsonBody(request(''), loose, 100))).message).toBe('body is not valid JSON');
  });

  it('lists every schema problem by path, under the message given', async () => {
    const e = await failure(
      parseJsonBody(request('{"days":-1,"x":1}'), schema, 100, { invalid: 'invalid share request' }),
    );
    expect([e.code, e.message]).toEqual(['bad_request', 'invalid share request']);
    expect(e.problems).toEqual([
      { path: 'path', message: 'Invalid input: expected string, received undefined' },
      { path: 'days', message: 'Too small: expected number to be >0' },
      { path: '', message: 'Unrecognized key: "x"' },
    ]);
    expect((await failure(parseJsonBody(request('[]'), schema, 100))).message).toBe('invalid request body');
  });
});

describe('readBody', () => {
  it('reads UTF-8 text up to the limit, counting bytes rather than characters', async () => {
    await expect(readBody(request('é'.repeat(50)), 100)).resolves.toBe('é'.repeat(50));
    expect((await failure(readBody(request('é'.repeat(51)), 100))).code).toBe('too_large');
    await expect(readBody(request(null), 10)).resolves.toBe('');
  });
});
