import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConfigService, parseConfig } from '@rv/config';
import { createHttpApp } from '@rv/observability';
import { ThrowawayPostgres, testEnv, waitFor } from '@rv/testing';
import { registryConfigSchema } from '../src/registry.config';
import { RegistryModule } from '../src/registry.module';

describe('registry health (real PostgreSQL and Kafka)', () => {
  let pg: ThrowawayPostgres;
  let app: INestApplication;

  beforeAll(async () => {
    pg = await ThrowawayPostgres.create();
    const cfg = parseConfig(registryConfigSchema, {
      DATABASE_URL: pg.url,
      KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
      LOG_LEVEL: 'silent',
    });
    // On fastify, as apps/registry/src/main.ts runs it.
    app = await createHttpApp(RegistryModule.forRoot(new ConfigService(cfg)) as never, 'fastify', {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    pg?.destroy();
  });

  it('is live, serves Prometheus metrics, and is ready while its dependencies answer', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok' } });
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('app="registry"');
  });

  it('turns unready when PostgreSQL stops and ready again when it returns', async () => {
    pg.stop();
    const down = await waitFor(
      async () => {
        const r = await request(app.getHttpServer()).get('/health/ready');
        return r.status === 503 ? r : undefined;
      },
      { what: '503 from /health/ready' },
    );
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.postgres).toMatch(/^error: /);
    expect(down.body.checks.kafka).toBe('ok');
    await request(app.getHttpServer()).get('/health/live').expect(200);

    pg.start();
    await waitFor(async () => (await request(app.getHttpServer()).get('/health/ready')).status === 200, {
      what: '200 from /health/ready after restart',
      timeoutMs: 30000,
    });
  });
});
