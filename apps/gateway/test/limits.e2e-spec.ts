import { createTestSchema, uniqueName } from '@rv/testing';
import { createKey, gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';

describe('gateway rate limits and edge (real Redis and PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  const running: RunningGateway[] = [];

  beforeAll(async () => {
    db = await createTestSchema('gw_limits');
  });

  afterAll(async () => {
    for (const g of running) await g.close();
    await db?.drop();
  });

  async function gateway(extra: Record<string, string>): Promise<RunningGateway> {
    const g = await startGateway(gatewayEnv(db.schema, extra));
    running.push(g);
    return g;
  }

  it('the 101st request in a minute from one IP gets 429 with Retry-After, also spread over two instances', async () => {
    const prefix = `${uniqueName('gw')}:`;
    const a = await gateway({ REDIS_PREFIX: prefix });
    const b = await gateway({ REDIS_PREFIX: prefix });
    const { key } = await createKey(gatewayEnv(db.schema), 'read');
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const g = i % 2 === 0 ? a : b;
      // authenticated and anonymous requests count alike against the IP
      const r = await fetch(`${g.url}/v1/me`, {
        headers: i % 3 === 0 ? {} : { authorization: `Bearer ${key}` },
      });
      statuses.push(r.status);
      if (i === 1) {
        expect(r.headers.get('ratelimit-limit')).toBe('100');
        expect(r.headers.get('ratelimit-remaining')).toBe('98');
        expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    for (const g of [a, b]) {
      const r = await fetch(`${g.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(r.status).toBe(429);
      const retry = Number(r.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(await r.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    }
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/rv_gateway_rate_limited_total\{[^}]*limit="ip"[^}]*\} 1/);
    expect(metrics).toMatch(/rv_gateway_auth_denied_total\{[^}]*reason="missing_key"[^}]*\} [1-9]/);
  });

  it('counts concurrent bursts exactly across two instances (batched Redis round trips)', async () => {
    const prefix = `${uniqueName('gw')}:`;
    const a = await gateway({ REDIS_PREFIX: prefix, RATE_LIMIT_IP_PER_MIN: '50' });
    const b = await gateway({ REDIS_PREFIX: prefix, RATE_LIMIT_IP_PER_MIN: '50' });
    const { key } = await createKey(gatewayEnv(db.schema), 'read');
    // 120 requests in flight at once, half on each instance: many share one round trip
    const statuses = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        fetch(`${(i % 2 === 0 ? a : b).url}/v1/me`, { headers: { authorization: `Bearer ${key}` } }).then(
          async (r) => {
            await r.arrayBuffer();
            return { status: r.status, remaining: r.headers.get('ratelimit-remaining') };
          },
        ),
      ),
    );
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s.status === 429)).toHaveLength(70);
    // every allowed request saw its own count: remaining 49..0, each once
    const remaining = statuses
      .filter((s) => s.status === 200)
      .map((s) => Number(s.remaining))
      .sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('fails closed with 503 and Retry-After when Redis is unreachable (no request waits for it)', async () => {
    const g = await gateway({ REDIS_URL: 'redis://127.0.0.1:9' });
    const { key } = await createKey(gatewayEnv(db.schema), 'read');
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${g.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
          status: r.status,
          retry: r.headers.get('retry-after'),
          body: (await r.json()) as unknown,
        })),
      ),
    );
    for (const a of answers)
      expect(a).toEqual({
        status: 503,
        retry: '1',
        body: { error: { code: 'unavailable', message: expect.any(String) } },
      });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is on', async () => {
    const plain = await gateway({ RATE_LIMIT_IP_PER_MIN: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await fetch(`${plain.url}/v1/me`, { headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status,
      );
    expect(codes).toEqual([401, 401, 401, 429]);

    const proxied = await gateway({ RATE_LIMIT_IP_PER_MIN: '3', TRUST_PROXY: 'true' });
    const perClient: number[] = [];
    for (let i = 0; i < 4; i++)
      perClient.push(
        (await fetch(`${proxied.url}/v1/me`, { headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status,
      );
    expect(perClient).toEqual([401, 401, 401, 401]);
  });

  it("enforces the key's plan quota per key", async () => {
    const plans = JSON.stringify({
      tiny: { perMinute: 5, perDay: 1000 },
      big: { perMinute: 1000, perDay: 100000 },
    });
    const env = gatewayEnv(db.schema, { API_PLANS: plans });
    const g = await gateway({ API_PLANS: plans });
    const tiny = await createKey(env, 'read', 'tiny');
    const big = await createKey(env, 'read', 'big');
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${g.url}/v1/me`, { headers: { 'x-api-key': tiny.key } });
      codes.push(r.status);
      if (i === 4)
        expect([r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-remaining')]).toEqual(['5', '0']);
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await fetch(`${g.url}/v1/me`, { headers: { 'x-api-key': big.key } })).status).toBe(200);
  });

  it('answers 413 for an oversized body, 400 for malformed JSON, uniform 404, no CORS headers by default, never a stack', async () => {
    const g = await gateway({ BODY_LIMIT_BYTES: '1024' });
    const big = await fetch(`${g.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof: '0x' + 'ab'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body is too large' },
    });

    const bad = await fetch(`${g.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'bad_request', message: 'request body is not valid JSON' },
    });
    expect(text).not.toMatch(/at .*\.js|node_modules/);

    const missing = await fetch(`${g.url}/v1/nothing-here`, { headers: { origin: 'https://evil.example' } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(missing.headers.get('access-control-allow-origin')).toBeNull();
    expect(missing.headers.get('x-powered-by')).toBeNull();
  });

  it('allows only the configured CORS origins', async () => {
    const g = await gateway({ CORS_ORIGINS: 'https://app.example' });
    const ok = await fetch(`${g.url}/v1/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await fetch(`${g.url}/v1/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
