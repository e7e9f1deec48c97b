import { createTestSchema } from '@rv/testing';
import { gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';

describe('gateway OpenAPI document and Swagger UI', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let gw: RunningGateway;

  beforeAll(async () => {
    db = await createTestSchema('gw_openapi');
    gw = await startGateway(gatewayEnv(db.schema));
  });

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it('serves an OpenAPI 3.1 document generated from the controllers, with both auth schemes', async () => {
    const r = await fetch(`${gw.url}/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'x-api-key']);
    const expected = {
      '/v1/me': ['get'],
      '/v1/tracks': ['get'],
      '/v1/tracks/{trackId}': ['get'],
      '/v1/tracks/{trackId}/root': ['get'],
      '/v1/tracks/{trackId}/roots': ['get'],
      '/v1/tracks/{trackId}/paths/{leafIndex}': ['get'],
      '/v1/tracks/{trackId}/leaves': ['get'],
      '/v1/proofs': ['post'],
      '/v1/proofs/{id}': ['get'],
      '/v1/verifications': ['post'],
      '/v1/verifications/{id}': ['get'],
      '/v1/analytics/verifications': ['get'],
      '/v1/analytics/scopes': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const m of methods) {
        const op = doc.paths[path]?.[m];
        expect({ path, m, documented: op !== undefined }).toEqual({ path, m, documented: true });
        expect(op!.security?.length).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(doc.paths['/v1/verifications']!.post!.responses).sort()).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '403', '409', '422', '429', '503']),
    );
  });

  it('serves Swagger UI at /docs without an API key', async () => {
    const r = await fetch(`${gw.url}/docs`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('swagger');
  });
});
