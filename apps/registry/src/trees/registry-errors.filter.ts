import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '@rv/observability';
import type { Response } from 'express';
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

  constructor(metrics: MetricsService) {
    this.integrityFailures = metrics.counter(
      'registry_path_integrity_failures_total',
      'Paths not served because they did not hash to the root read with them (alarm)',
    );
  }

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (e instanceof HttpException) {
      res.status(e.getStatus()).json(e.getResponse());
      return;
    }
    if (e instanceof RootPrunedError) {
      res.status(410).json({ statusCode: 410, error: 'Gone', message: e.message });
      return;
    }
    if (e instanceof TreeNotFoundError || e instanceof LeafNotFoundError || e instanceof RootNotFoundError) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: e.message });
      return;
    }
    if (e instanceof OutOfRangeError) {
      res.status(400).json({ statusCode: 400, error: 'Bad Request', message: e.message });
      return;
    }
    if (e instanceof BehindSlotError) {
      res.status(409).json({
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
      res.status(500).json({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'stored tree is inconsistent; path not served',
      });
      return;
    }
    this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}
