import type { Pool, PoolClient } from 'pg';
import { getHasher, type Poseidon2Hasher } from '@rv/crypto';
import {
  SparseMerkleTree,
  zeroHashes,
  type BatchResult,
  type LeafChange,
  type MerkleNode,
  type NodeStore,
} from '@rv/merkle';
import { PgTreeStore } from './pg-tree.store';
import type { TreeState } from './tree-records';

export type LeafChangeInput =
  | { type: 'append'; leaf: bigint; walletHash?: Buffer; tokenId?: Buffer }
  | { type: 'revoke'; index: number }
  | { type: 'revoke'; leaf: bigint };

/** One batch of leaf changes for one tree; `seq` must be the tree's seq + 1. */
export interface LeafChangeBatch {
  trackId: bigint;
  seq: number;
  /** Chain slot the batch reflects. */
  slot: number;
  changes: readonly LeafChangeInput[];
  /** Depth if the tree does not exist yet (default: the registry's default depth). */
  depth?: number;
}

export interface ApplyResult {
  /** false: the batch had already been applied (a replay) and nothing changed. */
  applied: boolean;
  tree: TreeState;
  /** Nodes written and hashes computed (0 for a replay). */
  nodes: number;
  hashes: number;
}

/** Default REGISTRY_ROOT_HISTORY: ≥ the chain's ring of 64 roots (and the gateway's RECENT_ROOTS). */
export const DEFAULT_ROOT_HISTORY = 128;

/** A batch that can never apply (gap in seq, unknown leaf, full tree...): not retryable. */
export class InvalidBatchError extends Error {}

/** Leaf-change records do not continue the tree's change seq (a record is missing). */
export class ChangeSeqGapError extends Error {}

/** One rv.registry.leaf-changes.v1 record, decoded. */
export interface ChangeLogRecord {
  changeSeq: bigint;
  op: 'append' | 'revoke';
  leaf: bigint;
  depth: number;
  slot: number;
  /** Stored as merkle_leaves.token_id (the mint's 32 bytes). */
  tokenId?: Buffer;
}

/**
 * The tree writer: applies one batch of leaf changes to a tree in ONE transaction (leaves,
 * nodes, root history, tree row), guarded by the per-tree seq so a replayed batch is a no-op
 * and batches of one tree apply strictly in order (the tree row is locked for the batch).
 */
export class ApplyLeafChanges {
  private readonly store: PgTreeStore;

  /**
   * @param rootHistory paths stay servable at the newest `rootHistory` seqs of each tree
   *   (REGISTRY_ROOT_HISTORY); older node versions are pruned in the batch transaction.
   */
  constructor(
    private readonly pool: Pool,
    private readonly defaultDepth = 20,
    private readonly hasher: Poseidon2Hasher = getHasher(),
    private readonly rootHistory = DEFAULT_ROOT_HISTORY,
  ) {
    if (!Number.isSafeInteger(rootHistory) || rootHistory < 1)
      throw new RangeError(`rootHistory must be a positive integer, got ${rootHistory}`);
    this.store = new PgTreeStore(pool);
  }

  /** Applies a batch whose `seq` is the tree's next seq (file CLI); an older seq is a replay. */
  async apply(batch: LeafChangeBatch): Promise<ApplyResult> {
    if (!Number.isSafeInteger(batch.seq) || batch.seq < 1) {
      throw new InvalidBatchError(`seq must be a positive integer, got ${batch.seq}`);
    }
    return this.inTreeTransaction(batch.trackId, batch.depth, async (client, tree) => {
      if (batch.seq <= tree.seq) return undefined;
      if (batch.seq !== tree.seq + 1) {
        throw new InvalidBatchError(
          `track ${batch.trackId}: batch seq ${batch.seq} does not follow the tree's seq ${tree.seq}`,
        );
      }
      return this.applyLocked(client, tree, batch.changes, batch.slot, tree.changeSeq);
    });
  }

  /**
   * Applies leaf-change records (rv.registry.leaf-changes.v1) of one track as one batch (tree
   * seq + 1). Records at or below the tree's change_seq were applied before and are skipped; the
   * rest must continue it without gaps. `consumeWithoutEffect` records them as consumed without
   * changing any leaf (for a record that was dead-lettered).
   */
  async applyChangeLog(
    trackId: bigint,
    records: readonly ChangeLogRecord[],
    options: { consumeWithoutEffect?: boolean } = {},
  ): Promise<ApplyResult> {
    if (records.length === 0) throw new InvalidBatchError('no changes');
    return this.inTreeTransaction(trackId, records[0]?.depth, async (client, tree) => {
      const fresh = [...records]
        .sort((a, b) => (a.changeSeq < b.changeSeq ? -1 : 1))
        .filter((r) => r.changeSeq > tree.changeSeq);
      if (fresh.length === 0) return undefined;
      fresh.forEach((r, i) => {
        const want = tree.changeSeq + 1n + BigInt(i);
        if (r.changeSeq !== want) {
          throw new ChangeSeqGapError(
            `track ${trackId}: expected leaf change seq ${want}, got ${r.changeSeq}`,
          );
        }
      });
      const changes: LeafChangeInput[] = options.consumeWithoutEffect
        ? []
        : fresh.map((r) =>
            r.op === 'append'
              ? { type: 'append', leaf: r.leaf, tokenId: r.tokenId }
              : { type: 'revoke', leaf: r.leaf },
          );
      const slot = Math.max(...fresh.map((r) => r.slot));
      return this.applyLocked(client, tree, changes, slot, fresh[fresh.length - 1]!.changeSeq);
    });
  }

  /** Locks (creating if needed) the tree row, runs `body`; undefined from body = replay, rolled back. */
  private async inTreeTransaction(
    trackId: bigint,
    depth: number | undefined,
    body: (client: PoolClient, tree: TreeState) => Promise<Omit<ApplyResult, 'applied'> | undefined>,
  ): Promise<ApplyResult> {
    const client = await this.pool.connect();
    // A connection that breaks while checked out (PostgreSQL restarts mid-batch) emits 'error' on
    // the client, which pg's pool only listens to while the client is idle: without this listener
    // the process would crash instead of failing this batch (which Kafka then redelivers).
    let broken: Error | undefined;
    const onError = (e: Error) => (broken = e);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      let tree = await this.store.getTree(trackId, client, true);
      if (!tree) {
        const d = depth ?? this.defaultDepth;
        await this.store.createTree(client, trackId, d, zeroHashes(d, this.hasher)[d] as bigint);
        tree = await this.store.getTree(trackId, client, true);
        if (!tree) throw new Error(`tree ${trackId} vanished`);
      }
      const done = await body(client, tree);
      if (!done) {
        await client.query('ROLLBACK');
        return { applied: false, tree, nodes: 0, hashes: 0 };
      }
      await client.query('COMMIT');
      return { applied: true, ...done };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken); // a broken connection is discarded, not returned to the pool
    }
  }

  private async applyLocked(
    client: PoolClient,
    tree: TreeState,
    inputs: readonly LeafChangeInput[],
    slot: number,
    changeSeq: bigint,
  ): Promise<Omit<ApplyResult, 'applied'>> {
    const seq = tree.seq + 1;
    const batch = { trackId: tree.trackId, seq, changes: inputs };
    const store = this.store;
    const trackId = tree.trackId;
    const nodeStore: NodeStore = {
      async getNodes(keys) {
        return (await store.readNodes(trackId, keys, client))?.values ?? keys.map(() => undefined);
      },
      putNodes: () => Promise.reject(new Error('not used')),
    };
    const smt = new SparseMerkleTree(nodeStore, { depth: tree.depth, hasher: this.hasher });

    const revokeLeaves = batch.changes.flatMap((c) => (c.type === 'revoke' && 'leaf' in c ? [c.leaf] : []));
    const live = await this.store.findLiveLeaves(trackId, revokeLeaves, client);
    const changes: LeafChange[] = [];
    const appended: { index: number; leaf: bigint; walletHash: Buffer; tokenId: Buffer }[] = [];
    const revoked = new Set<number>();
    let next = tree.nextIndex;
    for (const c of batch.changes) {
      if (c.type === 'append') {
        if (c.leaf === 0n) throw new InvalidBatchError('cannot append the zero leaf');
        if (next >= smt.capacity)
          throw new InvalidBatchError(`track ${trackId}: tree of depth ${tree.depth} is full`);
        changes.push({ index: next, leaf: c.leaf });
        appended.push({
          index: next,
          leaf: c.leaf,
          walletHash: c.walletHash ?? Buffer.alloc(0),
          tokenId: c.tokenId ?? Buffer.alloc(0),
        });
        next++;
      } else {
        let index: number;
        if ('index' in c) {
          index = c.index;
        } else {
          const found = (live.get(c.leaf) ?? []).find((i) => !revoked.has(i));
          const pending = appended.find((a) => a.leaf === c.leaf && !revoked.has(a.index));
          const candidate = found ?? pending?.index;
          if (candidate === undefined)
            throw new InvalidBatchError(`track ${trackId}: no live leaf ${c.leaf.toString(16)} to revoke`);
          index = candidate;
        }
        if (!Number.isInteger(index) || index < 0 || index >= next) {
          throw new InvalidBatchError(
            `track ${trackId}: cannot revoke index ${index}, the tree has ${next} positions in use`,
          );
        }
        if (revoked.has(index)) continue;
        revoked.add(index);
        changes.push({ index, leaf: 0n });
      }
    }
    // A revoke by index of a leaf that is already zero changes nothing and is not counted.
    const revokedByIndex = batch.changes.flatMap((c) =>
      c.type === 'revoke' && 'index' in c ? [c.index] : [],
    );
    const alreadyZero = new Set<number>();
    if (revokedByIndex.length > 0) {
      const current = await nodeStore.getNodes(revokedByIndex.map((index) => ({ level: 0, index })));
      revokedByIndex.forEach((index, i) => {
        if (!current[i] && !appended.some((a) => a.index === index)) alreadyZero.add(index);
      });
    }

    const result: BatchResult = await smt.computeBatch(changes);
    const written: MerkleNode[] = [...result.nodes];
    await this.store.insertLeaves(client, trackId, seq, appended);
    await this.store.revokeLeaves(client, trackId, seq, [...revoked]);
    // Node (level, i) exists iff a leaf under it was ever written, i.e. i * 2^level < nextIndex:
    // keep its current version before overwriting it (appends: only the right edge).
    await this.store.archiveNodes(
      client,
      trackId,
      seq,
      written.filter((n) => n.index * 2 ** n.level < tree.nextIndex),
    );
    await this.store.putNodes(client, trackId, seq, written);
    const historyFromSeq = Math.max(tree.historyFromSeq, seq - this.rootHistory + 1);
    if (historyFromSeq > tree.historyFromSeq) await this.store.pruneHistory(client, trackId, historyFromSeq);
    const after: TreeState = {
      ...tree,
      nextIndex: next,
      leafCount:
        tree.leafCount +
        appended.length -
        (revoked.size - [...revoked].filter((i) => alreadyZero.has(i)).length),
      seq,
      root: changes.length > 0 ? result.root : tree.root,
      slot: Math.max(tree.slot, slot),
      changeSeq,
      historyFromSeq,
    };
    await this.store.recordRoot(client, trackId, after);
    return { tree: after, nodes: written.length, hashes: result.hashes };
  }
}
