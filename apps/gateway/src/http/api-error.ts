import type { ErrorCode } from '@rv/client';

/** Machine-readable error codes of the partner API (the `error.code` of every error body): the client lib's contract. */
export type { ErrorCode };

/** An error the client should see: status, code, message (never a secret or a stack). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const unavailable = (message: string) => new ApiError(503, 'unavailable', message);

/** The uniform error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export const DEFAULT_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'bad_request',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};
