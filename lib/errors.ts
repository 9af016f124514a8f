/**
 * One error type for the domain layer, with a code that each transport maps once (HTTP: lib/server/http.ts).
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
