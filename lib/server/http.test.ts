import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError, type ErrorCode } from '../errors';
import { BodyTooLargeError } from '../ingest/http';
import { parseTableMetric } from '../queries/table-metric';
import { errorResponse } from './http';

const answer = async (e: unknown) => {
  const res = errorResponse(e);
  return [res.status, await res.text()];
};

describe('errorResponse', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives each error code its one HTTP status, with {error, code, problems?}', async () => {
    const statuses: Record<ErrorCode, number> = {
      bad_request: 400,
      invalid_spec: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      too_large: 413,
    };
    for (const [code, status] of Object.entries(statuses)) {
      expect(await answer(new AppError(code as ErrorCode, `a ${code}`))).toEqual([
        status,
        `{"error":"a ${code}","code":"${code}"}`,
      ]);
    }
    expect(await answer(new AppError('invalid_spec', 'two', [{ path: 'a.b', message: 'm' }]))).toEqual([
      400,
      '{"error":"two","code":"invalid_spec","problems":[{"path":"a.b","message":"m"}]}',
    ]);
  });

  it('answers the domain errors of the query and ingest layers by what they mean', async () => {
    let metricError: unknown;
    try {
      parseTableMetric('eval/loss:median');
    } catch (e) {
      metricError = e;
    }
    expect(await answer(metricError)).toEqual([
      400,
      '{"error":"unknown aggregation \\"median\\" in metric \\"eval/loss:median\\" ' +
        '(last, min, max, mean, best, roughness)",' +
        '"code":"bad_request"}',
    ]);
    expect(await answer(new BodyTooLargeError(2000, 1000))).toEqual([
      413,
      '{"error":"request body is 2000 bytes; the limit is 1000","code":"too_large"}',
    ]);
  });

  it('hides anything else behind a 500 that names no detail, and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await answer(new RangeError('secret detail'))).toEqual([
      500,
      '{"error":"internal error; see the server log","code":"internal"}',
    ]);
    expect(log).toHaveBeenCalledOnce();
  });
});
