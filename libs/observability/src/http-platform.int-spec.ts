import { Controller, Get, INestApplication, Module, Param, Req } from '@nestjs/common';
import request from 'supertest';
import { HealthRegistry } from './health/health.registry';
import { createHttpApp, type HttpPlatform } from './http-platform';
import { ObservabilityModule } from './observability.module';

@Controller('things')
class ThingsController {
  @Get('request-id')
  requestId(@Req() req: { id?: unknown; raw?: { id?: unknown } }) {
    // The id the request logs carry (pino-http's req.id; on fastify also the request's own id).
    return { id: req.id, raw: req.raw?.id ?? req.id };
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return { id };
  }
}

/** A fresh module (and metrics registry) per app. */
function specModule() {
  @Module({
    imports: [ObservabilityModule.forRoot({ app: 'spec', logLevel: 'silent' })],
    controllers: [ThingsController],
  })
  class SpecModule {}
  return SpecModule;
}

// The same health, readiness, metrics and logging behaviour on both HTTP platforms
// (bootstrapApp's `platform` option).
describe.each<HttpPlatform>(['express', 'fastify'])('observability on %s', (platform) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createHttpApp(specModule(), platform, { logger: false });
    await app.init();
    if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('runs on the platform asked for', () => {
    expect(app.getHttpAdapter().getType()).toBe(platform);
  });

  it('gives each request an id: a well-formed X-Request-Id, else a UUID', async () => {
    const given = await http().get('/things/request-id').set('x-request-id', 'abc-123').expect(200);
    expect(given.body).toEqual({ id: 'abc-123', raw: 'abc-123' });
    const bad = await http().get('/things/request-id').set('x-request-id', 'a b').expect(200);
    expect(bad.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(bad.body.raw).toBe(bad.body.id);
  });

  it('a trailing slash reaches the same route, as on express', async () => {
    await http().get('/health/live/').expect(200, { status: 'ok' });
  });

  it('/health/live answers 200; /health/ready 200 while checks pass, 503 naming the failing one', async () => {
    await http().get('/health/live').expect(200, { status: 'ok' });
    const health = app.get(HealthRegistry);
    health.register({ name: 'db', check: () => Promise.resolve() });
    const ok = await http().get('/health/ready').expect(200);
    expect(ok.body).toMatchObject({ status: 'ok', checks: { db: 'ok' } });
    health.register({ name: 'db', check: () => Promise.reject(new Error('connection refused')) });
    const down = await http().get('/health/ready').expect(503);
    expect(down.headers['content-type']).toMatch(/^application\/json/);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.db).toContain('connection refused');
  });

  it('/metrics exposes HTTP latency by method, route pattern and status', async () => {
    await http().get('/things/42').expect(200, { id: '42' });
    await http().get('/nowhere').expect(404);
    const counts = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count{'));
    const notFound = (text: string) => counts(text).filter((l) => l.includes('status="404"'));
    // A request is recorded when its response has finished (server side): poll with a deadline.
    const scrape = async (): Promise<string> => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const res = await http().get('/metrics').expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        if (notFound(res.text).length > 0 || Date.now() > deadline) return res.text;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const text = await scrape();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/things\/:id"[^}]*status="200"[^}]*\} 1/,
    );
    // Unmatched paths share one label (bounded cardinality), never the raw URL.
    expect(notFound(text)).toEqual([expect.stringMatching(/method="GET".* 1$/)]);
    expect(text).not.toContain('/nowhere');
    expect(text).toContain('app="spec"');
  });
});
