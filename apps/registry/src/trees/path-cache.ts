/** Default REGISTRY_PATH_CACHE_MB. */
export const DEFAULT_PATH_CACHE_MB = 256;

/**
 * Served paths, already verified against their root and serialized (the JSON bytes of one entry
 * of `paths`; bytes, because writing prebuilt bytes costs far less than encoding strings), per
 * (track, seq, leaf index). A snapshot never changes, so an entry stays correct for its seq
 * forever; a new seq simply misses (its key differs). Bounded by `maxBytes` (0 disables it):
 * past it, whole older seqs go first (oldest first), then the oldest paths of the newest ones.
 */
export class PathCache {
  /** (track, seq) -> index -> JSON; both maps in insertion order (oldest first). */
  private readonly seqs = new Map<string, Map<number, Buffer>>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    let n = 0;
    for (const m of this.seqs.values()) n += m.size;
    return n;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** The cached paths of (track, seq) (a live view; undefined if none), for several lookups. */
  of(trackId: bigint, seq: number): ReadonlyMap<number, Buffer> | undefined {
    return this.seqs.get(keyOf(trackId, seq));
  }

  get(trackId: bigint, seq: number, index: number): Buffer | undefined {
    return this.of(trackId, seq)?.get(index);
  }

  set(trackId: bigint, seq: number, index: number, json: Buffer): void {
    const cost = costOf(json);
    if (cost > this.maxBytes) return;
    const key = keyOf(trackId, seq);
    let paths = this.seqs.get(key);
    if (!paths) this.seqs.set(key, (paths = new Map()));
    const old = paths.get(index);
    if (old !== undefined) this.bytes -= costOf(old);
    paths.set(index, json);
    this.bytes += cost;
    if (this.bytes > this.maxBytes) this.evict(key);
  }

  private evict(keep: string): void {
    // Whole other (track, seq) generations first, oldest first.
    for (const [key, paths] of this.seqs) {
      if (this.bytes <= this.maxBytes) return;
      if (key === keep) continue;
      for (const json of paths.values()) this.bytes -= costOf(json);
      this.seqs.delete(key);
    }
    // Then the oldest paths of the one being filled.
    const paths = this.seqs.get(keep);
    if (!paths) return;
    for (const [index, json] of paths) {
      if (this.bytes <= this.maxBytes) return;
      paths.delete(index);
      this.bytes -= costOf(json);
    }
  }
}

const keyOf = (trackId: bigint, seq: number): string => `${trackId}/${seq}`;

/** Approximate bytes of one entry: the JSON bytes, the Buffer object and the map slot. */
const costOf = (json: Buffer): number => json.length + 160;
