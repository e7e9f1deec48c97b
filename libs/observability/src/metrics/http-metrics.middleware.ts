import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Records every HTTP request's latency by method, route pattern and status (express). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route =
        (req.route as { path?: string } | undefined)?.path ??
        (res.statusCode === 404 ? 'unmatched' : req.baseUrl || req.path);
      end({ method: req.method, route: String(route), status: String(res.statusCode) });
    });
    next();
  }
}

/** The few fastify members used here (fastify's own types stay out of this lib's API). */
interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (
      req: { method: string; routeOptions?: { url?: string } },
      reply: { statusCode: number; elapsedTime: number },
      done: () => void,
    ) => void,
  ): unknown;
}

/** The same histogram on fastify: one onResponse hook (fastify times the request itself). */
export function addFastifyHttpMetrics(instance: FastifyLike, metrics: MetricsService): void {
  instance.addHook('onResponse', (req, reply, done) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
