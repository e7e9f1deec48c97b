import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Counter } from 'prom-client';
import { MetricsService } from '@rv/observability';
import {
  BehindSlotError,
  LeafNotFoundError,
  OutOfRangeError,
  PathIntegrityError,
  RootNotFoundError,
  RootPrunedError,
  TreeNotFoundError,
} from './tree-records';

/** Maps registry errors to statuses; anything unexpected is a 500 without internals. */
@Catch()
@Injectable()
export class RegistryErrorsFilter implements ExceptionFilter {
  private readonly log = new Logger('Registry');
  private readonly integrityFailures: Counter<string>;

  constructor(
    metrics: MetricsService,
    private readonly adapter: HttpAdapterHost,
  ) {
    this.integrityFailures = metrics.counter(
      'registry_path_integrity_failures_total',
      'Paths not served because they did not hash to the root read with them (alarm)',
    );
  }

  catch(e: unknown, host: ArgumentsHost): void {
    // Through the HTTP adapter: the same on fastify (the registry's platform) and express.
    const { status, body } = this.answer(e);
    void this.adapter.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }

  /** The status and JSON body an error is answered with (also used by the paths fast lane). */
  answer(e: unknown): { status: number; body: object } {
    if (e instanceof HttpException) {
      const body = e.getResponse();
      return { status: e.getStatus(), body: typeof body === 'object' ? body : { message: body } };
    }
    if (e instanceof RootPrunedError) return problem(410, 'Gone', e.message);
    if (e instanceof TreeNotFoundError || e instanceof LeafNotFoundError || e instanceof RootNotFoundError) {
      return problem(404, 'Not Found', e.message);
    }
    if (e instanceof OutOfRangeError) return problem(400, 'Bad Request', e.message);
    if (e instanceof BehindSlotError) {
      return {
        status: 409,
        body: {
          statusCode: 409,
          error: 'Conflict',
          message: e.message,
          currentSlot: e.currentSlot,
          minSlot: e.minSlot,
        },
      };
    }
    if (e instanceof PathIntegrityError) {
      this.integrityFailures.inc();
      this.log.error(`ALARM ${e.message}`);
      return problem(500, 'Internal Server Error', 'stored tree is inconsistent; path not served');
    }
    this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return problem(500, 'Internal Server Error', 'internal error');
  }
}

function problem(status: number, error: string, message: string): { status: number; body: object } {
  return { status, body: { statusCode: status, error, message } };
}
