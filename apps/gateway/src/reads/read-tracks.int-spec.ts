import Redis from 'ioredis';
import { testEnv, uniqueName, waitFor } from '@rv/testing';
import { ReadTracks } from './read-tracks';
import type { RegistryAnswer, RegistryApi } from './registry.client';

/** A registry whose head moves when told; counts the calls it gets. */
class FakeRegistry implements RegistryApi {
  seq = 1;
  calls: string[] = [];
  delayMs = 0;

  async get(pathAndQuery: string): Promise<RegistryAnswer> {
    this.calls.push(pathAndQuery);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const seq = this.seq;
    if (/^\/v1\/trees\/\d+$/.test(pathAndQuery)) return { trackId: '1', seq, root: `0x${seq}` };
    const path = /\/paths\/(\d+)/.exec(pathAndQuery);
    if (path) return { trackId: '1', seq, leafIndex: Number(path[1]), siblings: ['0x0'.repeat(200)] };
    throw new Error(`unexpected ${pathAndQuery}`);
  }
}

describe('ReadTracks: (track, seq) cache in memory in front of Redis (real Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testEnv().REDIS_URL);
  });
  afterAll(() => redis.disconnect());

  const reads = (
    registry: RegistryApi,
    prefix: string,
    extra: { memoryBytes?: number; headTtlMs?: number } = {},
  ) =>
    new ReadTracks(registry, redis, {
      prefix,
      headTtlMs: extra.headTtlMs ?? 200,
      seqTtlS: 60,
      memoryBytes: extra.memoryBytes ?? 1024 * 1024,
    });
  const json = (b: Buffer) => JSON.parse(b.toString('utf8')) as { seq: number; leafIndex: number };

  it('serves a new seq once the head expires, never a stale cached answer past the head TTL', async () => {
    const registry = new FakeRegistry();
    const r = reads(registry, `${uniqueName('rt')}:`);
    expect(json(await r.path('1', 3)).seq).toBe(1);
    registry.seq = 2;
    const moved = Date.now();
    // still the cached seq 1 within the head TTL; seq 2 at most ~200 ms later
    await waitFor(async () => json(await r.path('1', 3)).seq === 2, {
      what: 'the path at seq 2',
      timeoutMs: 2000,
      intervalMs: 10,
    });
    expect(Date.now() - moved).toBeLessThan(200 + 150);
    expect(json(await r.path('1', 3))).toMatchObject({ seq: 2, leafIndex: 3 });
  });

  it('concurrent misses share one registry call; hits make none', async () => {
    const registry = new FakeRegistry();
    registry.delayMs = 20;
    const r = reads(registry, `${uniqueName('rt')}:`, { headTtlMs: 5000 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => r.path('1', 0)));
    expect(new Set(answers.map((a) => a.toString())).size).toBe(1);
    expect(registry.calls).toEqual(['/v1/trees/1', '/v1/trees/1/paths/0']);
    for (let i = 0; i < 20; i++) await r.path('1', 0);
    expect(registry.calls).toHaveLength(2);
  });

  it('keeps an entry taken from Redis in memory only as long as Redis has left on it', async () => {
    const prefix = `${uniqueName('rt')}:`;
    const registry = new FakeRegistry();
    const first = reads(registry, prefix, { headTtlMs: 400 });
    await first.head('1'); // stored in Redis for 400 ms
    await new Promise((r) => setTimeout(r, 250));
    const second = reads(registry, prefix, { headTtlMs: 400 }); // another instance: ~150 ms left
    registry.seq = 2;
    expect(json(await second.head('1')).seq).toBe(1); // from Redis
    await new Promise((r) => setTimeout(r, 250));
    expect(json(await second.head('1')).seq).toBe(2); // not kept for a full 400 ms
  });

  it('stays within its memory budget (evicting the oldest) and answers the same from Redis', async () => {
    const registry = new FakeRegistry();
    const prefix = `${uniqueName('rt')}:`;
    const r = reads(registry, prefix, { memoryBytes: 4096, headTtlMs: 5000 });
    for (let i = 0; i < 20; i++) await r.path('1', i); // ~900 bytes each
    const calls = registry.calls.length;
    const memory = (r as unknown as { memory: Map<string, { body: Buffer }> }).memory;
    const bytes = [...memory].reduce((n, [k, e]) => n + k.length + e.body.length, 0);
    expect(bytes).toBeLessThanOrEqual(4096);
    expect(memory.has('1:1:path:0')).toBe(false); // evicted first
    expect(json(await r.path('1', 0))).toMatchObject({ seq: 1, leafIndex: 0 }); // from Redis
    expect(registry.calls.length).toBe(calls);
  });

  it('with a zero budget reads through Redis only', async () => {
    const registry = new FakeRegistry();
    const prefix = `${uniqueName('rt')}:`;
    const r = reads(registry, prefix, { memoryBytes: 0, headTtlMs: 5000 });
    await r.path('1', 5);
    await redis.set(`${prefix}rd:1:1:path:5`, '{"marker":true}', 'PX', 5000);
    expect((await r.path('1', 5)).toString()).toBe('{"marker":true}');
  });
});
