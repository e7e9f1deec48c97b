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
    const response: unknown = host.switchToHttp().getResponse();
    const http = this.adapter.httpAdapter;
    const reply = (status: number, body: unknown): void => void http.reply(response, body, status);
    if (e instanceof HttpException) {
      reply(e.getStatus(), e.getResponse());
      return;
    }
    if (e instanceof RootPrunedError) {
      reply(410, { statusCode: 410, error: 'Gone', message: e.message });
      return;
    }
    if (e instanceof TreeNotFoundError || e instanceof LeafNotFoundError || e instanceof RootNotFoundError) {
      reply(404, { statusCode: 404, error: 'Not Found', message: e.message });
      return;
    }
    if (e instanceof OutOfRangeError) {
      reply(400, { statusCode: 400, error: 'Bad Request', message: e.message });
      return;
    }
    if (e instanceof BehindSlotError) {
      reply(409, {
        statusCode: 409,
        error: 'Conflict',
        message: e.message,
        currentSlot: e.currentSlot,
        minSlot: e.minSlot,
      });
      return;
    }
    if (e instanceof PathIntegrityError) {
      this.integrityFailures.inc();
      this.log.error(`ALARM ${e.message}`);
      reply(500, {
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'stored tree is inconsistent; path not served',
      });
      return;
    }
    this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    reply(500, { statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}
