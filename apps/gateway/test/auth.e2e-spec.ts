import { Client } from 'pg';
import { createTestSchema, testEnv, waitFor } from '@rv/testing';
import { createKey, gatewayEnv, keysCli, startGateway, type RunningGateway } from './gateway-harness';

describe('gateway API keys (real PostgreSQL and Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let env: Record<string, string>;
  let gw: RunningGateway;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestSchema('gw_auth');
    env = gatewayEnv(db.schema, { API_KEY_CACHE_MS: '0' });
    gw = await startGateway(env);
    pg = new Client({ connectionString: testEnv().DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await gw?.close();
    await pg?.end();
    await db?.drop();
  });

  const me = (headers: Record<string, string> = {}) => fetch(`${gw.url}/v1/me`, { headers });

  it('creates a key shown once, stores only its peppered hash, and authenticates with Bearer or x-api-key', async () => {
    const { id, key } = await createKey(env, 'read,verify', 'standard', 'Venue X');
    expect(key).toMatch(/^rv_[A-Za-z0-9_-]{43}$/);

    const bearer = await me({ authorization: `Bearer ${key}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({
      id,
      name: 'Venue X',
      prefix: key.slice(0, 10),
      scopes: ['read', 'verify'],
      plan: 'standard',
    });
    const header = await me({ 'x-api-key': key });
    expect(header.status).toBe(200);

    const rows = await pg.query(`SELECT * FROM "${db.schema}".api_keys WHERE id = $1`, [id]);
    const stored = JSON.stringify(rows.rows[0], (_k, v: unknown) =>
      Buffer.isBuffer(v) ? v.toString('hex') : v,
    );
    expect(stored).not.toContain(key.slice(3));
    expect(stored).not.toContain(Buffer.from(key).toString('hex'));
    expect((rows.rows[0] as { key_hash: Buffer }).key_hash).toHaveLength(32);

    const list = await keysCli(env, ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(key);
  });

  it('answers 401 with the uniform error body without a key, with a wrong key, or a malformed header', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer rv_' + 'A'.repeat(43) },
      { 'x-api-key': 'not-a-key' },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ];
    for (const headers of cases) {
      const r = await me(headers);
      expect(r.status).toBe(401);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(Object.keys(body)).toEqual(['error']);
    }
  });

  it('a key peppered differently (another deployment) does not authenticate', async () => {
    const { key } = await createKey(
      { ...env, API_KEY_PEPPER: 'another-pepper-0123456789abcdef0123456789' },
      'read',
    );
    expect((await me({ authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('a revoked key answers 401', async () => {
    const { id, key } = await createKey(env, 'read');
    expect((await me({ authorization: `Bearer ${key}` })).status).toBe(200);
    const r = await keysCli(env, ['revoke', id]);
    expect(r.code).toBe(0);
    expect((await me({ authorization: `Bearer ${key}` })).status).toBe(401);
    expect((await keysCli(env, ['revoke', id])).code).toBe(1);
    expect((await keysCli(env, ['list'])).stdout).toMatch(new RegExp(`${id}.*revoked`));
  });

  it('with the in-process key cache on, a revoked key stops working within API_KEY_CACHE_MS', async () => {
    const CACHE_MS = 1500;
    const cached = await startGateway({ ...env, API_KEY_CACHE_MS: String(CACHE_MS) });
    try {
      const { id, key } = await createKey(env, 'read');
      const call = () => fetch(`${cached.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect((await call()).status).toBe(200); // looked up and cached
      // revoked straight in the database (the CLI takes longer to start than the bound)
      await pg.query(`UPDATE "${db.schema}".api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      const revokedAt = Date.now();
      expect((await call()).status).toBe(200); // the cached key: the bound is real, not zero
      await waitFor(async () => (await call()).status === 401, {
        what: 'the revoked key refused',
        timeoutMs: 5000,
        intervalMs: 20,
      });
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(CACHE_MS + 250);
      for (let i = 0; i < 3; i++) expect((await call()).status).toBe(401);
    } finally {
      await cached.close();
    }
  });

  it('the CLI refuses unknown scopes and plans and says why', async () => {
    const bad = await keysCli(env, ['create', '--name', 'x', '--scopes', 'read,admin']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown scope "admin"');
    const plan = await keysCli(env, ['create', '--name', 'x', '--scopes', 'read', '--plan', 'gold']);
    expect(plan.stderr).toContain('unknown plan "gold"');
  });
});
