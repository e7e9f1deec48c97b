import { hashApiKey, looksLikeApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';

/**
 * Finds the live key a request presents. Keys are looked up by their peppered hash; a found key
 * is cached in this process for `cacheMs` (so a revocation takes effect within that time).
 */
export class ApiKeyAuth {
  private readonly cache = new Map<string, { record: ApiKeyRecord; until: number }>();

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly pepper: Buffer,
    private readonly cacheMs: number,
    private readonly maxCached = 10_000,
  ) {}

  /** The key's record when it exists and is not revoked; undefined otherwise. */
  async lookup(presented: string): Promise<ApiKeyRecord | undefined> {
    if (!looksLikeApiKey(presented)) return undefined;
    const hash = hashApiKey(presented, this.pepper);
    const id = hash.toString('base64');
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.record.revokedAt ? undefined : hit.record;
    const record = await this.repo.findByHash(hash);
    if (record && this.cacheMs > 0) {
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(id, { record, until: now + this.cacheMs });
    }
    return record && !record.revokedAt ? record : undefined;
  }
}
