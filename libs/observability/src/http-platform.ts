import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestApplicationOptions } from '@nestjs/common';
import { requestIdOf } from './observability.module';

/**
 * The HTTP server under a Nest app. 'express' (the default) or 'fastify' (@nestjs/platform-fastify:
 * less framework work per request; what the registry's path serving runs on). Controllers that
 * write responses themselves should go through the app's HttpAdapter (reply, setHeader) so they
 * work on both.
 */
export type HttpPlatform = 'express' | 'fastify';

/** Request body limit, bytes: fastify's default is 1 MiB; express's JSON body limit (100 kB) is kept on both. */
export const BODY_LIMIT = 100 * 1024;

/**
 * Creates (does not init or listen) a Nest app on the chosen platform. Tests that drive a fastify
 * app with supertest call `await app.init()` and then
 * `await app.getHttpAdapter().getInstance().ready()`.
 */
export async function createHttpApp(
  module: Type<unknown>,
  platform: HttpPlatform = 'express',
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  if (platform === 'express') return NestFactory.create(module, options);
  // Loaded only when asked for: express apps never load fastify.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  // Request ids as on express (X-Request-Id or a UUID), not fastify's own "req-N"; a trailing
  // slash matches the route as on express (`/v1/trees/` = `/v1/trees`).
  return NestFactory.create(
    module,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT,
      genReqId: requestIdOf,
      routerOptions: { ignoreTrailingSlash: true },
    }),
    options,
  );
}
