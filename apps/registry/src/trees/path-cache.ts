/** Default REGISTRY_PATH_CACHE_MB. */
export const DEFAULT_PATH_CACHE_MB = 256;

/**
 * Served paths, already verified against their root and serialized (the JSON bytes of one entry
 * of `paths`; bytes, because writing prebuilt bytes costs far less than encoding strings), per
 * (track, seq, leaf index). A snapshot never changes, so an entry stays correct for
 * its seq forever; a new seq simply misses (its key differs) and old seqs age out. Bounded:
 * least recently used entries are dropped past `maxBytes` (0 disables the cache).
 */
export class PathCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  get(trackId: bigint, seq: number, index: number): Buffer | undefined {
    const key = keyOf(trackId, seq, index);
    const json = this.entries.get(key);
    if (json === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, json);
    return json;
  }

  set(trackId: bigint, seq: number, index: number, json: Buffer): void {
    const cost = costOf(json);
    if (cost > this.maxBytes) return;
    const key = keyOf(trackId, seq, index);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= costOf(old);
    }
    this.entries.set(key, json);
    this.bytes += cost;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.entries().next().value as [string, Buffer];
      this.entries.delete(oldest[0]);
      this.bytes -= costOf(oldest[1]);
    }
  }
}

const keyOf = (trackId: bigint, seq: number, index: number): string => `${trackId}/${seq}/${index}`;

/** Approximate bytes of one entry: the JSON bytes, the Buffer object, its key and the map slot. */
const costOf = (json: Buffer): number => json.length + 200;
