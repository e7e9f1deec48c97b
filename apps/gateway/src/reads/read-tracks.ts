import type Redis from 'ioredis';
import { ApiError, badRequest } from '../http/api-error';
import type { RegistryAnswer, RegistryApi } from './registry.client';

export interface ReadCacheOptions {
  prefix: string;
  /** How long the head of a track (its current seq) is reused before asking the registry again. */
  headTtlMs: number;
  /** How long an answer of one (track, seq) is kept: immutable for paths and leaves. */
  seqTtlS: number;
  /** Bytes of answers kept in process memory in front of Redis (0 = none). */
  memoryBytes: number;
}

/** A JSON document as bytes, sent to the client as is (no parse/serialize/encode on cache hits). */
export type JsonBody = Buffer & { readonly __jsonBody: unique symbol };
const encode = (v: unknown): JsonBody => Buffer.from(JSON.stringify(v), 'utf8') as JsonBody;
/** An answer: the bytes themselves when they are in memory (no promise), else a promise of them. */
export type Answer = JsonBody | Promise<JsonBody>;
const bodyOf = (e: { body: JsonBody }): JsonBody => e.body;

const U64_MAX = 2n ** 64n - 1n;

export function parseTrackId(text: string): string {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > U64_MAX) throw badRequest('trackId must be a decimal u64');
  return BigInt(text).toString();
}

export function parseIntParam(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  }
  return Number(text);
}

/** A cached value with its remaining lifetime: one round trip. */
const GET_WITH_TTL = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
`;

type WithCommand = Redis & {
  rvGetWithTtlBuffer(key: string): Promise<[Buffer, number] | null>;
};

/** One cached answer: its bytes, until when it may be served, and (heads) the seq it names. */
interface Entry {
  body: JsonBody;
  until: number;
  seq?: string;
}

const seqOf = (head: Buffer): string | undefined => /"seq":(\d+)/.exec(head.toString('utf8'))?.[1];

/**
 * Reads through the registry with a cache keyed by (track, seq), in two levels: a bounded map in
 * this process in front of Redis (shared by every gateway instance). The head (current seq) of a
 * track is cached for READ_HEAD_TTL_MS; answers are stored under the seq they name, so a new root
 * invalidates them naturally. Root lists and the accepted root carry the accepted flag, which can
 * change without a new seq, so they live only as long as a head. An entry taken from Redis is kept
 * in memory only for the lifetime Redis has left on it, so the in-memory level never serves
 * anything older than Redis would (a new root shows within READ_HEAD_TTL_MS, as before). Concurrent
 * misses of one key share one load (no stampede on the registry when a head expires). A hit costs
 * no Redis round trip and no JSON work. A Redis outage degrades to the in-memory level.
 */
export class ReadTracks {
  private readonly redis: WithCommand;
  /** The in-memory level, oldest first (evicted in insertion order past memoryBytes). */
  private readonly memory = new Map<string, Entry>();
  private memoryBytes = 0;
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly registry: RegistryApi,
    redis: Redis,
    private readonly opts: ReadCacheOptions,
  ) {
    if (!('rvGetWithTtl' in redis))
      redis.defineCommand('rvGetWithTtl', { numberOfKeys: 1, lua: GET_WITH_TTL });
    this.redis = redis as WithCommand;
  }

  tracks(): Answer {
    return (
      this.fresh('trees')?.body ??
      this.cached('trees', this.opts.headTtlMs, async () =>
        encode(await this.registry.get('/v1/trees')),
      ).then(bodyOf)
    );
  }

  /** The track's tree head (depth, leaf count, current root, seq, slot). */
  head(trackId: string): Answer {
    return this.fresh(`${trackId}:head`)?.body ?? this.headEntry(trackId).then(bodyOf);
  }

  roots(trackId: string, limit = 100): Answer {
    return this.read(trackId, `roots:${limit}`, this.opts.headTtlMs, () =>
      this.registry.get(`/v1/trees/${trackId}/roots?limit=${limit}`),
    );
  }

  /** The newest root the chain has accepted for this track (404 when none yet). */
  acceptedRoot(trackId: string): Answer {
    return this.read(trackId, 'accepted', this.opts.headTtlMs, async () => {
      const r = await this.registry.get(`/v1/trees/${trackId}/roots?limit=100`);
      const list = Array.isArray(r.roots) ? (r.roots as { accepted?: unknown }[]) : [];
      const accepted = list.find((x) => x.accepted === true);
      if (!accepted) throw new ApiError(404, 'not_found', `no accepted root yet for track ${trackId}`);
      return { trackId, ...accepted, headSeq: r.seq };
    });
  }

  path(trackId: string, leafIndex: number): Answer {
    return this.read(trackId, `path:${leafIndex}`, this.opts.seqTtlS * 1000, () =>
      this.registry.get(`/v1/trees/${trackId}/paths/${leafIndex}`),
    );
  }

  leaves(trackId: string, cursor: number, limit: number): Answer {
    return this.read(trackId, `leaves:${cursor}:${limit}`, this.opts.seqTtlS * 1000, () =>
      this.registry.get(`/v1/trees/${trackId}/leaves?cursor=${cursor}&limit=${limit}`),
    );
  }

  /**
   * The path at an older root of the track (by its seq): what a proof against an accepted root
   * needs while the head has moved on. Immutable, so cached under (track, seq) without the head.
   */
  pathAt(trackId: string, leafIndex: number, seq: number): Answer {
    return this.readAt(trackId, seq, `path:${leafIndex}`, () =>
      this.registry.get(`/v1/trees/${trackId}/paths/${leafIndex}?seq=${seq}`),
    );
  }

  /** A page of leaves as of an older root (by its seq). */
  leavesAt(trackId: string, cursor: number, limit: number, seq: number): Answer {
    return this.readAt(trackId, seq, `leaves:${cursor}:${limit}`, () =>
      this.registry.get(`/v1/trees/${trackId}/leaves?cursor=${cursor}&limit=${limit}&seq=${seq}`),
    );
  }

  private readAt(trackId: string, seq: number, what: string, load: () => Promise<RegistryAnswer>): Answer {
    // The same key as a head read of that seq: both are the same immutable answer.
    const key = `${trackId}:${seq}:${what}`;
    return (
      this.fresh(key)?.body ??
      this.cached(key, this.opts.seqTtlS * 1000, async () => encode(await load())).then(bodyOf)
    );
  }

  /** The in-memory entry under `key` while it may still be served. */
  private fresh(key: string): Entry | undefined {
    const e = this.memory.get(key);
    return e !== undefined && e.until > Date.now() ? e : undefined;
  }

  private headEntry(trackId: string): Promise<Entry> {
    return this.cached(`${trackId}:head`, this.opts.headTtlMs, async () =>
      encode(await this.registry.get(`/v1/trees/${trackId}`)),
    );
  }

  /** A read at the track's current seq: synchronous when head and answer are in memory. */
  private read(trackId: string, what: string, ttlMs: number, load: () => Promise<RegistryAnswer>): Answer {
    const head = this.fresh(`${trackId}:head`);
    const hit = head?.seq !== undefined ? this.fresh(`${trackId}:${head.seq}:${what}`) : undefined;
    return hit?.body ?? this.readThrough(trackId, what, ttlMs, load);
  }

  private async readThrough(
    trackId: string,
    what: string,
    ttlMs: number,
    load: () => Promise<RegistryAnswer>,
  ): Promise<JsonBody> {
    const head = await this.headEntry(trackId);
    if (head.seq === undefined) return encode(await load());
    let answerSeq: string | undefined;
    const entry = await this.cached(
      `${trackId}:${head.seq}:${what}`,
      ttlMs,
      async () => {
        const answer = await load();
        // stored under the seq the answer names (the registry may have moved on since the head)
        const named = typeof answer.headSeq === 'number' ? answer.headSeq : answer.seq;
        answerSeq = typeof named === 'number' ? String(named) : undefined;
        return encode(answer);
      },
      () => answerSeq,
    );
    return entry.body;
  }

  /**
   * The entry under `key` (`<track>:<seq>:<what>`, `<track>:head` or `trees`): from memory, else
   * from Redis (kept in memory for the TTL Redis has left on it), else loaded and stored in both
   * for `ttlMs`. Concurrent callers of one missing key share one load. `storeSeq` (after a load)
   * names the seq the answer belongs to when it differs from the key's.
   */
  private cached(
    key: string,
    ttlMs: number,
    load: () => Promise<JsonBody>,
    storeSeq?: () => string | undefined,
  ): Promise<Entry> {
    const now = Date.now();
    const hit = this.memory.get(key);
    if (hit && hit.until > now) return Promise.resolve(hit);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const p = (async (): Promise<Entry> => {
      const redisKey = `${this.opts.prefix}rd:${key}`;
      const stored = await this.safe(() => this.redis.rvGetWithTtlBuffer(redisKey));
      if (stored) {
        const [body, pttl] = stored;
        const entry = this.entry(key, body as JsonBody, Date.now() + (pttl >= 0 ? pttl : ttlMs));
        this.remember(key, entry);
        return entry;
      }
      const body = await load();
      const until = Date.now() + ttlMs;
      let storeKey: string | undefined = key;
      if (storeSeq) {
        const seq = storeSeq();
        storeKey = seq === undefined ? undefined : key.replace(/^(\d+):\d+:/, `$1:${seq}:`);
      }
      const entry = this.entry(key, body, until);
      if (storeKey !== undefined) {
        const named = storeKey === key ? entry : this.entry(storeKey, body, until);
        await this.safe(() => this.redis.set(`${this.opts.prefix}rd:${storeKey}`, body, 'PX', ttlMs));
        this.remember(storeKey, named);
      }
      return entry;
    })();
    this.loading.set(key, p);
    const done = () => void this.loading.delete(key);
    p.then(done, done);
    return p;
  }

  private entry(key: string, body: JsonBody, until: number): Entry {
    return key.endsWith(':head') ? { body, until, seq: seqOf(body) } : { body, until };
  }

  /** Keeps an entry in memory, evicting the oldest past the byte budget. */
  private remember(key: string, entry: Entry): void {
    const size = entry.body.length + key.length;
    if (size > this.opts.memoryBytes) return;
    const old = this.memory.get(key);
    if (old) {
      this.memory.delete(key);
      this.memoryBytes -= old.body.length + key.length;
    }
    this.memory.set(key, entry);
    this.memoryBytes += size;
    for (const [k, e] of this.memory) {
      if (this.memoryBytes <= this.opts.memoryBytes) break;
      this.memory.delete(k);
      this.memoryBytes -= e.body.length + k.length;
    }
  }

  private async safe<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch {
      return undefined; // cache only: serve uncached
    }
  }
}
