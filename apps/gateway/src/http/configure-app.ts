import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'http';
import type { GatewayConfig } from '../gateway.config';
import { setupGatewayOpenApi } from '../openapi/openapi';
import { ApiErrorFilter, expressErrorHandler } from './api-error.filter';
import { TimeoutInterceptor } from './timeout.interceptor';

/**
 * Edge settings of the gateway (main.ts and tests share them): client IP source, body limit
 * (413), uniform error bodies, request deadlines, CORS (off unless origins are configured) and
 * the OpenAPI document.
 */
export function configureGateway(app: INestApplication, cfg: GatewayConfig): void {
  const ex = app as NestExpressApplication;
  ex.set('trust proxy', cfg.TRUST_PROXY);
  ex.disable('x-powered-by');
  ex.useBodyParser('json', { limit: cfg.BODY_LIMIT_BYTES });
  ex.useBodyParser('urlencoded', { limit: cfg.BODY_LIMIT_BYTES, extended: false });
  ex.use(expressErrorHandler);
  app.useGlobalFilters(new ApiErrorFilter());
  app.useGlobalInterceptors(new TimeoutInterceptor(app.get(Reflector), cfg));
  if (cfg.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: cfg.CORS_ORIGINS,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'idempotency-key'],
      exposedHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
    });
  }
  const server = app.getHttpServer() as Server;
  // the whole request (headers + body) must arrive within the deadline (slow clients)
  server.requestTimeout = cfg.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(cfg.REQUEST_TIMEOUT_MS, 60_000);
  setupGatewayOpenApi(app);
}
