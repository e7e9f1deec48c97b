import type Redis from 'ioredis';
import { ApiError, badRequest } from '../http/api-error';
import type { RegistryAnswer, RegistryApi } from './registry.client';

export interface ReadCacheOptions {
  prefix: string;
  /** How long the head of a track (its current seq) is reused before asking the registry again. */
  headTtlMs: number;
  /** How long an answer of one (track, seq) is kept: immutable for paths and leaves. */
  seqTtlS: number;
}

/** A JSON document as text, sent to the client as is (no parse/serialize on cache hits). */
export type RawJson = string & { readonly __rawJson: unique symbol };
const raw = (v: unknown): RawJson => JSON.stringify(v) as RawJson;

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

/** One round trip: the track head and, if the head is cached, the answer stored under its seq. */
const CACHED_READ = `
local head = redis.call('GET', KEYS[1])
if not head then return {false, false} end
local seq = string.match(head, '"seq":(%d+)')
if not seq then return {head, false} end
return {head, redis.call('GET', ARGV[1] .. seq .. ARGV[2])}
`;

type WithCommand = Redis & {
  rvCachedRead(
    headKey: string,
    dataPrefix: string,
    dataSuffix: string,
  ): Promise<[string | null, string | null]>;
};

interface Kind {
  /** Suffix of the cache key after `<track>:<seq>:`. */
  what: string;
  /** Immutable per seq (paths, leaves) or only as fresh as the head (root lists: accepted flag). */
  ttlMs: number;
  load: () => Promise<RegistryAnswer>;
}

/**
 * Reads through the registry with a Redis cache keyed by (track, seq): the head (current seq) is
 * cached for READ_HEAD_TTL_MS; answers are stored under the seq they name, so a new root
 * invalidates them naturally. Root lists and the accepted root carry the accepted flag, which can
 * change without a new seq, so they live only as long as a head. A cache hit is one Redis round
 * trip and no JSON parsing. A Redis outage degrades to uncached reads.
 */
export class ReadTracks {
  private readonly redis: WithCommand;

  constructor(
    private readonly registry: RegistryApi,
    redis: Redis,
    private readonly opts: ReadCacheOptions,
  ) {
    if (!('rvCachedRead' in redis))
      redis.defineCommand('rvCachedRead', { numberOfKeys: 1, lua: CACHED_READ });
    this.redis = redis as WithCommand;
  }

  async tracks(): Promise<RawJson> {
    const key = `${this.opts.prefix}rd:trees`;
    const hit = await this.safe(() => this.redis.get(key));
    if (hit) return hit as RawJson;
    const fresh = raw(await this.registry.get('/v1/trees'));
    await this.safe(() => this.redis.set(key, fresh, 'PX', this.opts.headTtlMs));
    return fresh;
  }

  /** The track's tree head (depth, leaf count, current root, seq, slot). */
  async head(trackId: string): Promise<RawJson> {
    const key = this.headKey(trackId);
    const hit = await this.safe(() => this.redis.get(key));
    if (hit) return hit as RawJson;
    return this.loadHead(trackId);
  }

  roots(trackId: string, limit = 100): Promise<RawJson> {
    return this.read(trackId, {
      what: `roots:${limit}`,
      ttlMs: this.opts.headTtlMs,
      load: () => this.registry.get(`/v1/trees/${trackId}/roots?limit=${limit}`),
    });
  }

  /** The newest root the chain has accepted for this track (404 when none yet). */
  acceptedRoot(trackId: string): Promise<RawJson> {
    return this.read(trackId, {
      what: 'accepted',
      ttlMs: this.opts.headTtlMs,
      load: async () => {
        const r = await this.registry.get(`/v1/trees/${trackId}/roots?limit=100`);
        const list = Array.isArray(r.roots) ? (r.roots as { accepted?: unknown }[]) : [];
        const accepted = list.find((x) => x.accepted === true);
        if (!accepted) throw new ApiError(404, 'not_found', `no accepted root yet for track ${trackId}`);
        return { trackId, ...accepted, headSeq: r.seq };
      },
    });
  }

  path(trackId: string, leafIndex: number): Promise<RawJson> {
    const seqTtl = this.opts.seqTtlS * 1000;
    return this.read(trackId, {
      what: `path:${leafIndex}`,
      ttlMs: seqTtl,
      load: () => this.registry.get(`/v1/trees/${trackId}/paths/${leafIndex}`),
    });
  }

  leaves(trackId: string, cursor: number, limit: number): Promise<RawJson> {
    const seqTtl = this.opts.seqTtlS * 1000;
    return this.read(trackId, {
      what: `leaves:${cursor}:${limit}`,
      ttlMs: seqTtl,
      load: () => this.registry.get(`/v1/trees/${trackId}/leaves?cursor=${cursor}&limit=${limit}`),
    });
  }

  /**
   * The path at an older root of the track (by its seq): what a proof against an accepted root
   * needs while the head has moved on. Immutable, so cached under (track, seq) without the head.
   */
  pathAt(trackId: string, leafIndex: number, seq: number): Promise<RawJson> {
    return this.readAt(trackId, seq, `path:${leafIndex}`, () =>
      this.registry.get(`/v1/trees/${trackId}/paths/${leafIndex}?seq=${seq}`),
    );
  }

  /** A page of leaves as of an older root (by its seq). */
  leavesAt(trackId: string, cursor: number, limit: number, seq: number): Promise<RawJson> {
    return this.readAt(trackId, seq, `leaves:${cursor}:${limit}`, () =>
      this.registry.get(`/v1/trees/${trackId}/leaves?cursor=${cursor}&limit=${limit}&seq=${seq}`),
    );
  }

  private async readAt(
    trackId: string,
    seq: number,
    what: string,
    load: () => Promise<RegistryAnswer>,
  ): Promise<RawJson> {
    // The same key as a head read of that seq: both are the same immutable answer.
    const key = `${this.opts.prefix}rd:${trackId}:${seq}:${what}`;
    const hit = await this.safe(() => this.redis.get(key));
    if (hit) return hit as RawJson;
    const text = raw(await load());
    await this.safe(() => this.redis.set(key, text, 'PX', this.opts.seqTtlS * 1000));
    return text;
  }

  private headKey(trackId: string): string {
    return `${this.opts.prefix}rd:${trackId}:head`;
  }

  private async loadHead(trackId: string): Promise<RawJson> {
    const fresh = raw(await this.registry.get(`/v1/trees/${trackId}`));
    await this.safe(() => this.redis.set(this.headKey(trackId), fresh, 'PX', this.opts.headTtlMs));
    return fresh;
  }

  private async read(trackId: string, kind: Kind): Promise<RawJson> {
    const dataPrefix = `${this.opts.prefix}rd:${trackId}:`;
    const suffix = `:${kind.what}`;
    const cached = await this.safe(() => this.redis.rvCachedRead(this.headKey(trackId), dataPrefix, suffix));
    if (cached?.[1]) return cached[1] as RawJson;
    const head = cached?.[0] ?? (await this.loadHead(trackId));
    const seq = /"seq":(\d+)/.exec(head)?.[1];
    if (seq !== undefined && !cached?.[0]) {
      // head was just loaded: the answer may already be cached under its seq
      const hit = await this.safe(() => this.redis.get(dataPrefix + seq + suffix));
      if (hit) return hit as RawJson;
    }
    const answer = await kind.load();
    const text = raw(answer);
    // stored under the seq the answer names (the registry may have moved on since the head)
    const answerSeq =
      typeof answer.headSeq === 'number'
        ? answer.headSeq
        : typeof answer.seq === 'number'
          ? answer.seq
          : undefined;
    if (answerSeq !== undefined)
      await this.safe(() => this.redis.set(dataPrefix + answerSeq + suffix, text, 'PX', kind.ttlMs));
    return text;
  }

  private async safe<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch {
      return undefined; // cache only: serve uncached
    }
  }
}
