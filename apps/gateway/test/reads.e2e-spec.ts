import * as net from 'net';
import Redis from 'ioredis';
import { createTestSchema, testEnv, waitFor } from '@rv/testing';
import { createKey, gatewayEnv, startGateway, type RunningGateway } from './gateway-harness';
import { RegistryFixture } from './registry-fixture';

describe('gateway reads through the real registry with a (track, seq) Redis cache', () => {
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let registry: RegistryFixture;
  let gw: RunningGateway;
  let redis: Redis;
  let auth: Record<string, string>;
  let env: Record<string, string>;
  const TRACK = 7n;

  beforeAll(async () => {
    db = await createTestSchema('gw_reads');
    registry = await RegistryFixture.start(db.schema, 8);
    env = gatewayEnv(db.schema, { REGISTRY_URL: registry.url, READ_HEAD_TTL_MS: '300' });
    gw = await startGateway(env);
    redis = new Redis(testEnv().REDIS_URL);
    auth = { authorization: `Bearer ${(await createKey(env, 'read')).key}` };
    await registry.append(TRACK, 1, [11n, 22n, 33n], 8);
    await registry.accept(TRACK, 1);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await registry?.stop();
    redis?.disconnect();
    await db?.drop();
  });

  const get = async (path: string, headers = auth) => {
    const r = await fetch(`${gw.url}${path}`, { headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const direct = async (path: string) =>
    (await fetch(`${registry.url}${path}`)).json() as Promise<Record<string, unknown>>;

  it('serves the track, the accepted root, root history, a path and a page of leaves as the registry does', async () => {
    const tree = await get(`/v1/tracks/${TRACK}`);
    expect(tree.status).toBe(200);
    expect(tree.body).toEqual(await direct(`/v1/trees/${TRACK}`));
    expect(tree.body).toMatchObject({ trackId: '7', depth: 8, leafCount: 3, seq: 1 });

    const root = await get(`/v1/tracks/${TRACK}/root`);
    expect(root.body).toMatchObject({
      trackId: '7',
      seq: 1,
      headSeq: 1,
      root: tree.body.root,
      accepted: true,
    });

    const roots = await get(`/v1/tracks/${TRACK}/roots?limit=10`);
    expect(roots.body).toEqual(await direct(`/v1/trees/${TRACK}/roots?limit=10`));

    const path = await get(`/v1/tracks/${TRACK}/paths/1`);
    expect(path.body).toEqual(await direct(`/v1/trees/${TRACK}/paths/1`));
    expect((path.body.path as { siblings: string[] }).siblings).toHaveLength(8);

    const leaves = await get(`/v1/tracks/${TRACK}/leaves?limit=2`);
    expect(leaves.body).toEqual(await direct(`/v1/trees/${TRACK}/leaves?limit=2`));

    const list = await get('/v1/tracks');
    expect((list.body.trees as unknown[]).length).toBe(1);
  });

  it('caches a path under (track, seq) in Redis for every instance and in memory, and serves the new root after an update without any purge', async () => {
    await get(`/v1/tracks/${TRACK}/paths/0`);
    const cachedKey = `${gw.cfg.REDIS_PREFIX}rd:${TRACK}:1:path:0`;
    expect(await redis.exists(cachedKey)).toBe(1);
    const original = (await redis.get(cachedKey))!;
    await redis.set(
      cachedKey,
      JSON.stringify({ ...JSON.parse(original), marker: 'from-cache' }),
      'PX',
      60_000,
    );
    // this instance answers from its in-memory copy; another instance (same Redis prefix, empty
    // memory) answers what Redis holds (proof: the altered entry shows through)
    expect((await get(`/v1/tracks/${TRACK}/paths/0`)).body.marker).toBeUndefined();
    const other = await startGateway({ ...env, REDIS_PREFIX: gw.cfg.REDIS_PREFIX });
    try {
      const r = await fetch(`${other.url}/v1/tracks/${TRACK}/paths/0`, { headers: auth });
      expect(((await r.json()) as { marker?: string }).marker).toBe('from-cache');
    } finally {
      await other.close();
    }

    await registry.append(TRACK, 2, [44n], 8);
    const fresh = await waitFor(
      async () => {
        const r = await get(`/v1/tracks/${TRACK}/paths/0`);
        return r.body.seq === 2 ? r : undefined;
      },
      { what: 'the path at seq 2', timeoutMs: 5000 },
    );
    expect(fresh.body.marker).toBeUndefined();
    expect(fresh.body).toEqual(await direct(`/v1/trees/${TRACK}/paths/0`));
    // seq 2 is not accepted yet: the accepted root stays seq 1 until the indexer accepts it
    expect((await get(`/v1/tracks/${TRACK}/root`)).body).toMatchObject({ seq: 1, headSeq: 2 });
  });

  it('serves paths and leaves at an older root by its seq (what a proof against the accepted root needs)', async () => {
    // (the previous spec planted a marker in the seq-1 path entry, which seq reads share)
    await redis.del(`${gw.cfg.REDIS_PREFIX}rd:${TRACK}:1:path:0`);
    const accepted = (await get(`/v1/tracks/${TRACK}/root`)).body as { seq: number; root: string };
    const head = (await get(`/v1/tracks/${TRACK}`)).body as { seq: number; root: string };
    expect(head.seq).toBeGreaterThan(accepted.seq);
    const old = await get(`/v1/tracks/${TRACK}/paths/0?seq=${accepted.seq}`);
    expect(old.status).toBe(200);
    expect(old.body).toEqual(await direct(`/v1/trees/${TRACK}/paths/0?seq=${accepted.seq}`));
    expect(old.body).toMatchObject({ seq: accepted.seq, root: accepted.root });
    expect(old.body.root).not.toBe(head.root);
    const oldLeaves = await get(`/v1/tracks/${TRACK}/leaves?seq=${accepted.seq}`);
    expect((oldLeaves.body.leaves as unknown[]).length).toBe(3); // the 4th leaf came with seq 2
    expect((await get(`/v1/tracks/${TRACK}/paths/0?seq=99`)).status).toBe(404);
    expect((await get(`/v1/tracks/${TRACK}/paths/0?seq=0`)).status).toBe(400);
    expect((await get(`/v1/tracks/${TRACK}/paths/0?seq=x`)).status).toBe(400);
  });

  it('answers 400 for malformed ids, 404 for unknown tracks, 403 without the read scope', async () => {
    expect((await get('/v1/tracks/abc')).status).toBe(400);
    expect((await get('/v1/tracks/99999999999999999999999')).status).toBe(400);
    expect((await get(`/v1/tracks/${TRACK}/paths/-1`)).status).toBe(400);
    expect((await get(`/v1/tracks/${TRACK}/leaves?limit=0`)).status).toBe(400);
    const unknown = await get('/v1/tracks/424242');
    expect(unknown.status).toBe(404);
    expect((unknown.body.error as { code: string }).code).toBe('not_found');

    const proveOnly = await createKey(gatewayEnv(db.schema), 'prove');
    const r = await get(`/v1/tracks/${TRACK}`, { 'x-api-key': proveOnly.key });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: { code: 'forbidden', message: 'this API key lacks the "read" scope' } });
  });

  it('answers 504 when a read takes longer than REQUEST_TIMEOUT_MS', async () => {
    // a registry that accepts connections and never answers
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const slow = await startGateway(
      gatewayEnv(db.schema, {
        REGISTRY_URL: `http://127.0.0.1:${port}`,
        REGISTRY_TIMEOUT_MS: '5000',
        REQUEST_TIMEOUT_MS: '300',
      }),
    );
    try {
      const started = Date.now();
      const r = await fetch(`${slow.url}/v1/tracks/${TRACK}/paths/0`, { headers: auth });
      expect(r.status).toBe(504);
      expect(await r.json()).toEqual({
        error: { code: 'timeout', message: 'request took longer than 300 ms' },
      });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await slow.close();
      silent.close();
    }
  });

  it('answers 503 when the registry is down', async () => {
    const env = gatewayEnv(db.schema, { REGISTRY_URL: 'http://127.0.0.1:9', REGISTRY_TIMEOUT_MS: '500' });
    const down = await startGateway(env);
    try {
      const r = await fetch(`${down.url}/v1/tracks/${TRACK}`, { headers: auth });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    } finally {
      await down.close();
    }
  });
});
