/**
 * One error type for the domain layer, with a code that each transport maps once (HTTP: lib/server/http.ts).
 * Domain modules throw AppError, or a subclass that names the failure (TableMetricError, BodyTooLargeError);
 * handlers never translate errors themselves.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_spec'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large';

export interface Problem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const badRequest = (message: string, problems?: Problem[]) => new AppError('bad_request', message, problems);
export const conflict = (message: string) => new AppError('conflict', message);
