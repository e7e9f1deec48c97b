import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError, DEFAULT_CODES, type ErrorBody, type ErrorCode } from './api-error';

/** Turns anything thrown into a status and `{error: {code, message}}`; never a stack trace. */
export function toErrorResponse(err: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message } },
      headers: err.headers,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const raw = typeof res === 'string' ? res : (res as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : err.message;
    const code: ErrorCode = DEFAULT_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
    return {
      status,
      body: {
        error: {
          code,
          message: status >= 500 && status !== 503 && status !== 504 ? 'internal error' : message,
        },
      },
      headers: {},
    };
  }
  // body-parser errors (too large, malformed JSON, bad charset) carry a status and a type
  const bp = err as { status?: unknown; type?: unknown };
  if (typeof bp?.status === 'number' && typeof bp.type === 'string' && bp.status >= 400 && bp.status < 500) {
    const messages: Record<string, string> = {
      'entity.too.large': 'request body is too large',
      'entity.parse.failed': 'request body is not valid JSON',
      'encoding.unsupported': 'unsupported content encoding',
      'charset.unsupported': 'unsupported charset',
    };
    return {
      status: bp.status,
      body: {
        error: {
          code: DEFAULT_CODES[bp.status] ?? 'bad_request',
          message: messages[bp.type] ?? 'malformed request body',
        },
      },
      headers: {},
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } }, headers: {} };
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('ApiError');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500 && status !== 503 && status !== 504) {
      // the name and message only: request bodies (proof secrets) are never logged
      this.log.error(
        `unhandled ${err instanceof Error ? err.name : typeof err}: ${err instanceof Error ? err.message : ''}`,
      );
    }
    if (res.headersSent) return;
    res.status(status).set(headers).json(body);
  }
}

/** Express error middleware for errors raised before Nest routing (body parsing). */
export function expressErrorHandler(
  err: unknown,
  _req: unknown,
  res: Response,
  next: (e?: unknown) => void,
): void {
  if (res.headersSent) return next(err);
  const { status, body, headers } = toErrorResponse(err);
  res.status(status).set(headers).json(body);
}
