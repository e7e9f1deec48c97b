import type { TreeState } from './tree-records';

/** Reads tree rows (heads) of several tracks in one statement. */
export type HeadsQuery = (trackIds: readonly bigint[]) => Promise<TreeState[]>;

interface Waiter {
  resolve: (tree: TreeState | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * The current head (root, seq, slot, ...) of a tree, never older than the call: every answer
 * comes from a statement that STARTED after get() was called, so a batch committed before a
 * request arrived (by this process or any other writer) is always seen. Concurrent calls share
 * statements: while one is in flight, new callers (any track) queue for the next one, so at most
 * one head query runs at a time however many requests wait (one per round trip instead of one
 * per request).
 */
export class CurrentHeads {
  private waiting: Map<bigint, Waiter[]> | undefined;
  private running = false;
  /** Head statements run (for tests and metrics). */
  queries = 0;

  constructor(private readonly query: HeadsQuery) {}

  get(trackId: bigint): Promise<TreeState | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting ??= new Map();
      const list = this.waiting.get(trackId);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(trackId, [{ resolve, reject }]);
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting) {
        const batch = this.waiting;
        this.waiting = undefined;
        this.queries++;
        try {
          const rows = await this.query([...batch.keys()]);
          const byId = new Map(rows.map((t) => [t.trackId, t]));
          for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
        } catch (e) {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
