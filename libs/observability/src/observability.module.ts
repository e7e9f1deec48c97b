import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health.registry';
import { MetricsController } from './metrics/metrics.controller';
import { HttpMetricsMiddleware, addFastifyHttpMetrics } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

export interface ObservabilityOptions {
  app: string;
  logLevel: string;
}

/** Paths pino removes from every log line: secrets, proof witnesses, API keys. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'secret',
  '*.secret',
  '*.*.secret',
  'witness',
  '*.witness',
  'apiKey',
  '*.apiKey',
  'keypair',
  '*.keypair',
];

/** A request's id: its X-Request-Id if well-formed, else a new UUID (express and fastify alike). */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
}

/** Structured JSON logs with request ids, /health/live, /health/ready and Prometheus /metrics. */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  static forRoot(opts: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: opts.logLevel,
            base: { app: opts.app },
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            genReqId: requestIdOf,
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
            },
            // originalUrl: fastify's middleware engine strips the mount path from req.url.
            autoLogging: {
              ignore: (req: IncomingMessage & { originalUrl?: string }) =>
                /^\/(health|metrics)/.test(req.originalUrl ?? req.url ?? ''),
            },
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [HealthRegistry, { provide: MetricsService, useValue: new MetricsService(opts.app) }],
      exports: [HealthRegistry, MetricsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const adapter = this.adapterHost.httpAdapter;
    // fastify: a route hook (knows the route pattern, cheaper than a middleware); express: middleware.
    if (adapter?.getType() === 'fastify') addFastifyHttpMetrics(adapter.getInstance(), this.metrics);
    else consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
