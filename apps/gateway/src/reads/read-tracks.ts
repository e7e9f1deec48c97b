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

/**
 * Reads through the registry with a Redis cache keyed by (track, seq): the head (current seq) is
 * cached for a moment; answers are stored under the seq they name, so a new root invalidates
 * them naturally. Root lists carry the accepted flag, which can change without a new seq, so
 * they live only as long as the head. A Redis outage degrades to uncached reads.
 */
export class ReadTracks {
  constructor(
    private readonly registry: RegistryApi,
    private readonly redis: Redis,
    private readonly opts: ReadCacheOptions,
  ) {}

  tracks(): Promise<RegistryAnswer> {
    return this.cached(`${this.opts.prefix}rd:trees`, this.opts.headTtlMs, () =>
      this.registry.get('/v1/trees'),
    );
  }

  /** The track's tree head (depth, leaf count, current root, seq, slot). */
  head(trackId: string): Promise<RegistryAnswer> {
    return this.cached(`${this.opts.prefix}rd:${trackId}:head`, this.opts.headTtlMs, () =>
      this.registry.get(`/v1/trees/${trackId}`),
    );
  }

  async roots(trackId: string, limit = 100): Promise<RegistryAnswer> {
    const seq = await this.seqOf(trackId);
    return this.cached(`${this.opts.prefix}rd:${trackId}:${seq}:roots:${limit}`, this.opts.headTtlMs, () =>
      this.registry.get(`/v1/trees/${trackId}/roots?limit=${limit}`),
    );
  }

  /** The newest root the chain has accepted for this track (404 when none yet). */
  async acceptedRoot(trackId: string): Promise<RegistryAnswer> {
    const r = await this.roots(trackId, 100);
    const list = Array.isArray(r.roots) ? (r.roots as { accepted?: unknown }[]) : [];
    const accepted = list.find((x) => x.accepted === true);
    if (!accepted) throw new ApiError(404, 'not_found', `no accepted root yet for track ${trackId}`);
    return { trackId, ...accepted };
  }

  async path(trackId: string, leafIndex: number): Promise<RegistryAnswer> {
    return this.bySeq(trackId, `path:${leafIndex}`, `/v1/trees/${trackId}/paths/${leafIndex}`);
  }

  async leaves(trackId: string, cursor: number, limit: number): Promise<RegistryAnswer> {
    return this.bySeq(
      trackId,
      `leaves:${cursor}:${limit}`,
      `/v1/trees/${trackId}/leaves?cursor=${cursor}&limit=${limit}`,
    );
  }

  private async seqOf(trackId: string): Promise<number> {
    const head = await this.head(trackId);
    if (typeof head.seq !== 'number')
      throw new ApiError(503, 'unavailable', 'the registry answered without a seq');
    return head.seq;
  }

  /** An answer for the current seq; stored under the seq the registry's answer names. */
  private async bySeq(trackId: string, what: string, url: string): Promise<RegistryAnswer> {
    const seq = await this.seqOf(trackId);
    const key = (s: number) => `${this.opts.prefix}rd:${trackId}:${s}:${what}`;
    const hit = await this.redisGet(key(seq));
    if (hit) return hit;
    const fresh = await this.registry.get(url);
    if (typeof fresh.seq === 'number') await this.redisSet(key(fresh.seq), fresh, this.opts.seqTtlS * 1000);
    return fresh;
  }

  private async cached(
    key: string,
    ttlMs: number,
    load: () => Promise<RegistryAnswer>,
  ): Promise<RegistryAnswer> {
    const hit = await this.redisGet(key);
    if (hit) return hit;
    const fresh = await load();
    await this.redisSet(key, fresh, ttlMs);
    return fresh;
  }

  private async redisGet(key: string): Promise<RegistryAnswer | undefined> {
    try {
      const v = await this.redis.get(key);
      return v ? (JSON.parse(v) as RegistryAnswer) : undefined;
    } catch {
      return undefined;
    }
  }

  private async redisSet(key: string, value: RegistryAnswer, ttlMs: number): Promise<void> {
    try {
      await this.redis.set(key, JSON.stringify(value), 'PX', ttlMs);
    } catch {
      // cache only
    }
  }
}
