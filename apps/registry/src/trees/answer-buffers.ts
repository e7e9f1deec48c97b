/**
 * Reusable buffers for large answers (batches of paths, ~150 KB for 100 paths at depth 20).
 * Writing an answer into memory that was written before costs far less than into a fresh
 * allocation each time (page faults, cold cache lines, external-memory GC pressure): measured
 * with bench/merkle's raw-limit server, 0.17-0.19 -> 0.14 ms CPU per 100-path answer. A buffer
 * is lent for one response and given back once that response has been handed to the kernel
 * (the response's 'finish'); one never given back (client gone) is simply collected.
 */
export class AnswerBuffers {
  private readonly free: Buffer[] = [];

  constructor(
    /** Bytes per pooled buffer; larger answers get a buffer of their own. */
    readonly capacity = 256 * 1024,
    /** Buffers kept while idle (memory held at rest: maxIdle × capacity). */
    readonly maxIdle = 64,
    /** Answers smaller than this are not worth a pooled buffer (Node's own small-buffer pool). */
    readonly minPooled = 16 * 1024,
  ) {}

  /** A buffer of exactly `size` bytes (contents undefined). */
  take(size: number): Buffer {
    if (size < this.minPooled || size > this.capacity) return Buffer.allocUnsafe(size);
    return (this.free.pop() ?? Buffer.allocUnsafeSlow(this.capacity)).subarray(0, size);
  }

  /** Gives back a buffer from take() once nothing reads it any more; others are ignored. */
  give(b: Buffer): void {
    if (b.byteOffset !== 0 || b.buffer.byteLength !== this.capacity || b.length < this.minPooled) return;
    if (this.free.length < this.maxIdle) this.free.push(Buffer.from(b.buffer, 0, this.capacity));
  }

  /** Buffers idle in the pool (for tests). */
  get idle(): number {
    return this.free.length;
  }
}
