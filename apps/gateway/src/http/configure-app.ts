import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'http';
import type { GatewayConfig } from '../gateway.config';
import { setupGatewayOpenApi } from '../openapi/openapi';
import { ApiErrorFilter } from './api-error.filter';

/**
 * Edge settings of the gateway (main.ts and tests share them; the app runs on fastify): body
 * limit (413), uniform error bodies (body-parser errors too: fastify hands them to Nest's
 * exception filters), CORS (off unless origins are configured) and the OpenAPI
 * document. The client IP (TRUST_PROXY) is read by the partner guard; request deadlines (504) are
 * per controller (TimeoutInterceptor, and withDeadline on the read routes' slow path).
 */
export function configureGateway(app: INestApplication, cfg: GatewayConfig): void {
  const fa = app as NestFastifyApplication;
  const instance = fa.getHttpAdapter().getInstance();
  const json = instance.getDefaultJsonParser('error', 'error');
  fa.useBodyParser<Server>('application/json', { bodyLimit: cfg.BODY_LIMIT_BYTES }, (req, body, done) =>
    json(req, body.toString('utf8'), done),
  );
  fa.useBodyParser(
    'application/x-www-form-urlencoded',
    { bodyLimit: cfg.BODY_LIMIT_BYTES },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8')))),
  );
  app.useGlobalFilters(new ApiErrorFilter());
  if (cfg.CORS_ORIGINS.length > 0) {
    fa.enableCors({
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
