import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { createTestSchema, testEnv } from '@rv/testing';
import { createKey, gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';

describe('gateway analytics with k-anonymity (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let gw: RunningGateway;
  let pg: Client;
  let env: Record<string, string>;
  let auth: Record<string, string>;
  const scopeA = Buffer.alloc(32, 0xaa);
  const scopeB = Buffer.alloc(32, 0xbb);

  beforeAll(async () => {
    db = await createTestSchema('gw_analytics');
    env = gatewayEnv(db.schema);
    gw = await startGateway(env);
    auth = { authorization: `Bearer ${(await createKey(env, 'analytics')).key}` };
    pg = new Client({ connectionString: testEnv().DATABASE_URL });
    await pg.connect();
    // what the indexer projects from OwnershipVerified (no wallet in this table)
    const insert = async (track: number, at: string, scope: Buffer) =>
      pg.query(
        `INSERT INTO "${db.schema}".verifications (track_id, timestamp, scope, nullifier, slot, signature) VALUES ($1, $2, $3, $4, 1, 'sig')`,
        [track, at, scope, randomBytes(32)],
      );
    for (let i = 0; i < 7; i++) await insert(5, `2026-11-03 10:${String(i).padStart(2, '0')}:00`, scopeA); // 10h: 7
    for (let i = 0; i < 3; i++) await insert(5, `2026-11-03 11:${String(i).padStart(2, '0')}:00`, scopeB); // 11h: 3
    for (let i = 0; i < 2; i++) await insert(5, `2026-12-01 09:00:0${i}`, scopeB); // December: 2
    await insert(6, '2026-11-03 10:30:00', scopeA); // another track
  });

  afterAll(async () => {
    await gw?.close();
    await pg?.end();
    await db?.drop();
  });

  const get = async (path: string, headers = auth) => {
    const r = await fetch(`${gw.url}${path}`, { headers });
    return { status: r.status, text: await r.clone().text(), body: (await r.json()) as Record<string, any> };
  };

  it('counts per hour and suppresses buckets under k = 5', async () => {
    const r = await get(
      '/v1/analytics/verifications?trackId=5&from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z&granularity=hour',
    );
    expect(r.status).toBe(200);
    expect(r.body.k).toBe(5);
    expect(r.body.buckets).toEqual([
      { start: '2026-11-03T10:00:00.000Z', count: 7, suppressed: false },
      { start: '2026-11-03T11:00:00.000Z', count: null, suppressed: true },
    ]);
  });

  it('counts per day and per month over a range', async () => {
    const day = await get(
      '/v1/analytics/verifications?trackId=5&from=2026-11-01&to=2026-12-31&granularity=day',
    );
    expect(day.body.buckets).toEqual([
      { start: '2026-11-03T00:00:00.000Z', count: 10, suppressed: false },
      { start: '2026-12-01T00:00:00.000Z', count: null, suppressed: true },
    ]);
    const month = await get(
      '/v1/analytics/verifications?trackId=5&from=2026-01-01&to=2027-01-01&granularity=month',
    );
    expect(month.body.buckets).toEqual([
      { start: '2026-11-01T00:00:00.000Z', count: 10, suppressed: false },
      { start: '2026-12-01T00:00:00.000Z', count: null, suppressed: true },
    ]);
  });

  it('counts unique nullifiers per scope, leaving out scopes under k; no wallet or nullifier in any answer', async () => {
    const r = await get('/v1/analytics/scopes?trackId=5&from=2026-11-01&to=2026-12-01');
    expect(r.body.scopes).toEqual([{ scope: '0x' + scopeA.toString('hex'), uniqueNullifiers: 7 }]);
    expect(r.body.suppressedScopes).toBe(1);
    expect(r.text).not.toMatch(/wallet|nullifier"/i);
    // over a longer range scope B reaches k (3 + 2)
    const longer = await get('/v1/analytics/scopes?trackId=5&from=2026-11-01&to=2027-01-01');
    expect(longer.body.scopes).toHaveLength(2);
    expect(longer.body.suppressedScopes).toBe(0);
  });

  it('answers 400 for bad parameters and 403 without the analytics scope', async () => {
    expect(
      (await get('/v1/analytics/verifications?trackId=5&from=2026-11-01&to=2026-11-02&granularity=week'))
        .status,
    ).toBe(400);
    expect(
      (await get('/v1/analytics/verifications?trackId=5&from=yesterday&to=2026-11-02&granularity=day'))
        .status,
    ).toBe(400);
    expect(
      (await get('/v1/analytics/verifications?trackId=5&from=2026-11-02&to=2026-11-01&granularity=day'))
        .status,
    ).toBe(400);
    expect(
      (await get('/v1/analytics/verifications?trackId=5&from=2000-01-01&to=2026-01-01&granularity=hour'))
        .status,
    ).toBe(400);
    expect(
      (await get("/v1/analytics/scopes?trackId=5'%20OR%201=1--&from=2026-11-01&to=2026-12-01")).status,
    ).toBe(400);
    const reader = await createKey(env, 'read,prove,verify');
    expect(
      (await get('/v1/analytics/scopes?trackId=5&from=2026-11-01&to=2026-12-01', { 'x-api-key': reader.key }))
        .status,
    ).toBe(403);
  });

  it('honours a configured k', async () => {
    const k2 = await startGateway({ ...env, ANALYTICS_K: '2' });
    try {
      const r = await fetch(
        `${k2.url}/v1/analytics/verifications?trackId=5&from=2026-11-03&to=2026-11-04&granularity=hour`,
        { headers: auth },
      );
      expect(((await r.json()) as { buckets: unknown[] }).buckets).toEqual([
        { start: '2026-11-03T10:00:00.000Z', count: 7, suppressed: false },
        { start: '2026-11-03T11:00:00.000Z', count: 3, suppressed: false },
      ]);
    } finally {
      await k2.close();
    }
  });
});
