import { hashApiKey, looksLikeApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';

/**
 * Finds the live key a request presents. Keys are looked up by their peppered hash; a found key
 * is cached in this process for `cacheMs` (so a revocation takes effect within that time), under
 * the presented text itself, so a cached key costs no hash (an exact string match, held only in
 * this process's memory, as the request itself is).
 */
export class ApiKeyAuth {
  private readonly cache = new Map<string, { record: ApiKeyRecord; until: number }>();
  private readonly loading = new Map<string, Promise<ApiKeyRecord | undefined>>();

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly pepper: Buffer,
    private readonly cacheMs: number,
    private readonly maxCached = 10_000,
  ) {}

  /** The key's record when it exists and is not revoked; undefined otherwise. */
  async lookup(presented: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const hit = this.cache.get(presented);
    if (hit && hit.until > now) return hit.record.revokedAt ? undefined : hit.record;
    if (!looksLikeApiKey(presented)) return undefined;
    // concurrent requests with the same key share one database lookup
    let pending = this.loading.get(presented);
    if (!pending) {
      // cached for cacheMs from when the read started, so a revocation committed after it
      // takes effect within cacheMs
      const started = now;
      pending = this.repo.findByHash(hashApiKey(presented, this.pepper)).then((record) => {
        if (record && this.cacheMs > 0) {
          if (this.cache.size >= this.maxCached) this.cache.clear();
          this.cache.set(presented, { record, until: started + this.cacheMs });
        }
        return record;
      });
      this.loading.set(presented, pending);
      const done = () => void this.loading.delete(presented);
      pending.then(done, done);
    }
    const record = await pending;
    return record && !record.revokedAt ? record : undefined;
  }
}
