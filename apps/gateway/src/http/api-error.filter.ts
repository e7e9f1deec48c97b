import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, DEFAULT_CODES, type ErrorBody, type ErrorCode } from './api-error';

/**
 * Fastify's body errors reach Nest's filters as `new HttpException(fastifyError.message, status)`
 * (the FST_ERR_CTP_* code is dropped); their messages map to the gateway's own wording.
 */
const FASTIFY_BODY_ERRORS: Record<string, string> = {
  'Request body is too large': 'request body is too large',
  'Unsupported Media Type': 'unsupported content type',
  "Body cannot be empty when content-type is set to 'application/json'": 'request body is not valid JSON',
  "Body is not valid JSON but content-type is set to 'application/json'": 'request body is not valid JSON',
  'Request body size did not match Content-Length': 'malformed request body',
};

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
    const raw =
      typeof res === 'string' ? (FASTIFY_BODY_ERRORS[res] ?? res) : (res as { message?: unknown }).message;
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
  // the JSON body parser's SyntaxError (malformed JSON, prototype poisoning) carries statusCode 400
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (err instanceof SyntaxError && status === 400) {
    return {
      status,
      body: { error: { code: 'bad_request', message: 'request body is not valid JSON' } },
      headers: {},
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } }, headers: {} };
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('ApiError');

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500 && status !== 503 && status !== 504) {
      // the name and message only: request bodies (proof secrets) are never logged
      this.log.error(
        `unhandled ${err instanceof Error ? err.name : typeof err}: ${err instanceof Error ? err.message : ''}`,
      );
    }
    if (reply.sent) return;
    void reply.status(status).headers(headers).send(body);
  }
}
