import { Logger } from '@nestjs/common';
import bs58 from 'bs58';
import type { KafkaMessage } from 'kafkajs';
import type { PoolClient } from 'pg';
import { fieldToHex, isField, leafHash, tokenField } from '@rv/crypto';
import {
  CHAIN_UPDATES_TOPIC,
  chainUpdateCodec,
  LEAF_CHANGES_TOPIC,
  leafChangeCodec,
  leafChangeKey,
  type ChainUpdate,
  type EventRevertedUpdate,
  type HoldingChangedUpdate,
  type IdentityRegisteredUpdate,
  type OwnershipVerifiedUpdate,
  type RootUpdatedUpdate,
  type TrackRegisteredUpdate,
} from '@rv/events';
import { DLQ_HEADERS, dlqTopicOf } from '@rv/kafka';
import { enqueueOutbox, type OutboxRecord } from '../shared/outbox';
import type { ProjectorMetrics } from './projector-metrics';

const pk = (b58: string): Buffer => Buffer.from(bs58.decode(b58));
const hex = (h: string): Buffer => Buffer.from(h.slice(2), 'hex');

/** Topic names (tests use suffixed copies of the v1 topics). */
export interface ProjectorTopics {
  chainUpdates: string;
  leafChanges: string;
}

interface TrackRow {
  trackId: bigint;
  mint: Buffer;
  depth: number;
}

/**
 * The projector's use case: applies decoded chain updates to the projections (identities,
 * holdings, tracks, nullifiers, verifications, accepted roots) and derives leaf changes, all inside
 * the caller's transaction. Leaf changes and dead letters are written to the outbox of that same
 * transaction, so effects, offsets and outgoing records commit (or vanish) together.
 *
 * Leaf rule: a leaf exists for (track, wallet) exactly while the wallet has a registered identity
 * AND holds >= 1 token (summed over its token accounts) of the track's mint. Every update that can
 * change either side re-evaluates the rule for the affected (track, wallet) pairs against
 * indexer_leaves (what the registry was told), emitting append or revoke; a transfer therefore
 * becomes a revoke for the sender and an append for the receiver.
 */
export class ProjectChainUpdates {
  private readonly log = new Logger('projector');
  private readonly tokenFields = new Map<string, bigint>();

  constructor(
    private readonly opts: { topics?: Partial<ProjectorTopics>; consumerGroup?: string; metrics?: ProjectorMetrics } = {},
  ) {
    this.topics = { chainUpdates: CHAIN_UPDATES_TOPIC, leafChanges: LEAF_CHANGES_TOPIC, ...opts.topics };
    this.metrics = opts.metrics;
  }

  private readonly topics: ProjectorTopics;
  private readonly metrics?: ProjectorMetrics;

  async apply(client: PoolClient, messages: readonly KafkaMessage[], partition: number): Promise<void> {
    const out: OutboxRecord[] = [];
    let maxSlot = -1;
    for (const m of messages) {
      const decoded = chainUpdateCodec.decode(m.value);
      if (!decoded.ok) {
        await this.deadLetter(client, out, m, partition, decoded.error.code, decoded.error.message);
        continue;
      }
      const u = decoded.value;
      maxSlot = Math.max(maxSlot, u.slot);
      await this.applyOne(client, u, out);
      this.metrics?.records.inc({ type: u.type });
    }
    await enqueueOutbox(client, out);
    if (maxSlot >= 0) {
      await client.query(
        `INSERT INTO indexer_checkpoints (name, slot) VALUES ('projector', $1)
         ON CONFLICT (name) DO UPDATE SET slot = GREATEST(indexer_checkpoints.slot, EXCLUDED.slot), updated_at = now()`,
        [maxSlot],
      );
    }
  }

  private async deadLetter(client: PoolClient, out: OutboxRecord[], m: KafkaMessage, partition: number, code: string, reason: string) {
    out.push({
      topic: dlqTopicOf(this.topics.chainUpdates),
      key: m.key ? m.key.toString('utf8') : null,
      value: m.value ?? Buffer.alloc(0),
      headers: {
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.code]: code,
        [DLQ_HEADERS.sourceTopic]: this.topics.chainUpdates,
        [DLQ_HEADERS.sourcePartition]: String(partition),
        [DLQ_HEADERS.sourceOffset]: m.offset,
        [DLQ_HEADERS.consumerGroup]: this.opts.consumerGroup ?? 'rv-indexer-projector',
        [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      },
    });
    await client.query(`INSERT INTO indexer_dead_letters (topic, partition, "offset", code, reason) VALUES ($1, $2, $3, $4, $5)`, [
      this.topics.chainUpdates,
      partition,
      m.offset,
      code,
      reason,
    ]);
    this.metrics?.deadLetters.inc({ code });
    this.log.warn(`dead-lettered ${this.topics.chainUpdates}/${partition}@${m.offset} (${code}): ${reason}`);
  }

  private async applyOne(client: PoolClient, u: ChainUpdate, out: OutboxRecord[]): Promise<void> {
    switch (u.type) {
      case 'identity_registered':
        return this.identityRegistered(client, u, out);
      case 'holding_changed':
        return this.holdingChanged(client, u, out);
      case 'track_registered':
        return this.trackRegistered(client, u, out);
      case 'root_updated':
        return this.rootUpdated(client, u);
      case 'ownership_verified':
        return this.ownershipVerified(client, u);
      case 'slot_status':
        return;
      case 'event_reverted':
        return this.reverted(client, u, out);
    }
  }

  private async identityRegistered(client: PoolClient, u: IdentityRegisteredUpdate, out: OutboxRecord[]): Promise<void> {
    const wallet = pk(u.wallet);
    const { rowCount } = await client.query(
      `INSERT INTO identities (wallet, commitment, slot, signature) VALUES ($1, $2, $3, $4) ON CONFLICT (wallet) DO NOTHING`,
      [wallet, hex(u.commitment), u.slot, u.signature],
    );
    if (!rowCount) return; // replay, or a second registration the program would have refused
    for (const t of await this.tracksHeldBy(client, wallet)) await this.reconcile(client, t, wallet, u.slot, out);
  }

  private async holdingChanged(client: PoolClient, u: HoldingChangedUpdate, out: OutboxRecord[]): Promise<void> {
    const account = pk(u.tokenAccount);
    const wallet = pk(u.wallet);
    const mint = pk(u.mint);
    // Guard: only a newer (slot, write_version) replaces what is stored; returns the previous owner.
    const { rows } = await client.query<{ old_wallet: Buffer | null; old_mint: Buffer | null }>(
      `WITH old AS (SELECT wallet, mint FROM holdings WHERE token_account = $1 FOR UPDATE)
       INSERT INTO holdings (token_account, wallet, mint, amount, slot, write_version) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (token_account) DO UPDATE
         SET wallet = EXCLUDED.wallet, mint = EXCLUDED.mint, amount = EXCLUDED.amount, slot = EXCLUDED.slot,
             write_version = EXCLUDED.write_version, updated_at = now()
         WHERE (holdings.slot, holdings.write_version) < (EXCLUDED.slot, EXCLUDED.write_version)
       RETURNING (SELECT wallet FROM old) AS old_wallet, (SELECT mint FROM old) AS old_mint`,
      [account, wallet, mint, u.amount.toString(), u.slot, u.writeVersion.toString()],
    );
    const row = rows[0];
    if (!row) return; // stale write: a newer state of this account is already projected
    const pairs: [Buffer, Buffer][] = [[mint, wallet]];
    if (row.old_wallet && row.old_mint && (!row.old_wallet.equals(wallet) || !row.old_mint.equals(mint))) {
      pairs.push([row.old_mint, row.old_wallet]);
    }
    for (const [m, w] of pairs) {
      const t = await this.trackOfMint(client, m);
      if (t) await this.reconcile(client, t, w, u.slot, out);
    }
  }

  private async trackRegistered(client: PoolClient, u: TrackRegisteredUpdate, out: OutboxRecord[]): Promise<void> {
    const mint = pk(u.mint);
    const { rowCount } = await client.query(
      `INSERT INTO tracks (track_id, mint, depth, slot, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [u.trackId.toString(), mint, u.depth, u.slot, u.signature],
    );
    if (!rowCount) return;
    const t: TrackRow = { trackId: u.trackId, mint, depth: u.depth };
    const { rows } = await client.query<{ wallet: Buffer }>(
      `SELECT DISTINCT h.wallet FROM holdings h JOIN identities i ON i.wallet = h.wallet WHERE h.mint = $1 ORDER BY h.wallet`,
      [mint],
    );
    for (const r of rows) await this.reconcile(client, t, r.wallet, u.slot, out);
  }

  private async rootUpdated(client: PoolClient, u: RootUpdatedUpdate): Promise<void> {
    const root = hex(u.root);
    const { rows } = await client.query<{ root: Buffer }>(`SELECT root FROM merkle_roots WHERE track_id = $1 AND seq = $2`, [
      u.trackId.toString(),
      u.seq.toString(),
    ]);
    const computed = rows[0]?.root;
    const verdict = !computed ? 'unknown' : computed.equals(root) ? 'accepted' : 'mismatch';
    const { rowCount } = await client.query(
      `INSERT INTO indexer_onchain_roots (track_id, seq, root, leaf_count, slot, signature, verdict) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (track_id, seq) DO NOTHING`,
      [u.trackId.toString(), u.seq.toString(), root, u.leafCount.toString(), u.slot, u.signature, verdict],
    );
    if (!rowCount) return;
    if (verdict === 'accepted') {
      await client.query(
        `UPDATE merkle_roots SET accepted = true, accepted_slot = $3, accepted_signature = $4 WHERE track_id = $1 AND seq = $2`,
        [u.trackId.toString(), u.seq.toString(), u.slot, u.signature],
      );
      this.metrics?.rootsAccepted.inc();
    } else if (verdict === 'mismatch') {
      this.metrics?.rootMismatches.inc({ track: u.trackId.toString() });
      this.log.error(
        `ALARM root mismatch: track ${u.trackId} seq ${u.seq}: chain has ${u.root} (tx ${u.signature}), registry computed 0x${computed!.toString('hex')}`,
      );
    } else {
      this.log.warn(`track ${u.trackId} seq ${u.seq}: on-chain root ${u.root} has no registry root for that seq yet`);
    }
  }

  private async ownershipVerified(client: PoolClient, u: OwnershipVerifiedUpdate): Promise<void> {
    const nullifier = hex(u.nullifier);
    const scope = hex(u.scope);
    await client.query(
      `INSERT INTO nullifiers (hash, track_id, used_at, tx_signature, scope, slot) VALUES ($1, $2, now(), $3, $4, $5) ON CONFLICT (hash) DO NOTHING`,
      [nullifier, u.trackId.toString(), u.signature, scope, u.slot],
    );
    // No wallet in verifications: analytics count by track and scope only.
    await client.query(
      `INSERT INTO verifications (track_id, timestamp, scope, nullifier, slot, signature) VALUES ($1, now(), $2, $3, $4, $5)
       ON CONFLICT (nullifier) DO NOTHING`,
      [u.trackId.toString(), scope, nullifier, u.slot, u.signature],
    );
  }

  /** Undoes a program event whose slot died (the record names the original, signature included). */
  private async reverted(client: PoolClient, u: EventRevertedUpdate, out: OutboxRecord[]): Promise<void> {
    const o = u.original;
    switch (o.type) {
      case 'identity_registered': {
        const wallet = pk(o.wallet);
        const { rowCount } = await client.query(`DELETE FROM identities WHERE wallet = $1 AND signature = $2`, [wallet, o.signature]);
        if (!rowCount) return;
        for (const t of await this.tracksWithLeafOf(client, wallet)) await this.reconcile(client, t, wallet, u.slot, out);
        return;
      }
      case 'track_registered': {
        const { rows } = await client.query<{ mint: Buffer; depth: number }>(
          `DELETE FROM tracks WHERE track_id = $1 AND signature = $2 RETURNING mint, depth`,
          [o.trackId.toString(), o.signature],
        );
        const gone = rows[0];
        if (!gone) return;
        // With the track gone, the rule says no leaf: revoke every leaf the track had.
        const { rows: leaves } = await client.query<{ wallet: Buffer }>(
          `SELECT wallet FROM indexer_leaves WHERE track_id = $1 AND present ORDER BY wallet`,
          [o.trackId.toString()],
        );
        const t: TrackRow = { trackId: o.trackId, mint: gone.mint, depth: gone.depth };
        for (const l of leaves) await this.setLeaf(client, t, l.wallet, false, undefined, u.slot, out);
        return;
      }
      case 'root_updated':
        await client.query(`DELETE FROM indexer_onchain_roots WHERE track_id = $1 AND seq = $2 AND signature = $3`, [
          o.trackId.toString(),
          o.seq.toString(),
          o.signature,
        ]);
        await client.query(
          `UPDATE merkle_roots SET accepted = false, accepted_slot = NULL, accepted_signature = NULL
           WHERE track_id = $1 AND seq = $2 AND accepted_signature = $3`,
          [o.trackId.toString(), o.seq.toString(), o.signature],
        );
        return;
      case 'ownership_verified':
        await client.query(`DELETE FROM verifications WHERE nullifier = $1 AND signature = $2`, [hex(o.nullifier), o.signature]);
        await client.query(`DELETE FROM nullifiers WHERE hash = $1 AND tx_signature = $2`, [hex(o.nullifier), o.signature]);
        return;
    }
  }

  private async trackOfMint(client: PoolClient, mint: Buffer): Promise<TrackRow | undefined> {
    const { rows } = await client.query<{ track_id: string; depth: number }>(`SELECT track_id::text, depth FROM tracks WHERE mint = $1`, [mint]);
    const r = rows[0];
    return r ? { trackId: BigInt(r.track_id), mint, depth: r.depth } : undefined;
  }

  private async tracksHeldBy(client: PoolClient, wallet: Buffer): Promise<TrackRow[]> {
    const { rows } = await client.query<{ track_id: string; mint: Buffer; depth: number }>(
      `SELECT DISTINCT t.track_id::text, t.mint, t.depth FROM holdings h JOIN tracks t ON t.mint = h.mint WHERE h.wallet = $1 ORDER BY 1`,
      [wallet],
    );
    return rows.map((r) => ({ trackId: BigInt(r.track_id), mint: r.mint, depth: r.depth }));
  }

  private async tracksWithLeafOf(client: PoolClient, wallet: Buffer): Promise<TrackRow[]> {
    const { rows } = await client.query<{ track_id: string; mint: Buffer; depth: number }>(
      `SELECT t.track_id::text, t.mint, t.depth FROM indexer_leaves l JOIN tracks t ON t.track_id = l.track_id
        WHERE l.wallet = $1 AND l.present ORDER BY 1`,
      [wallet],
    );
    return rows.map((r) => ({ trackId: BigInt(r.track_id), mint: r.mint, depth: r.depth }));
  }

  /** Re-evaluates the leaf rule for (track, wallet) and emits the change, if any. */
  private async reconcile(client: PoolClient, t: TrackRow, wallet: Buffer, slot: number, out: OutboxRecord[]): Promise<void> {
    const { rows } = await client.query<{ commitment: Buffer | null; balance: string }>(
      `SELECT (SELECT commitment FROM identities WHERE wallet = $1) AS commitment,
              (SELECT COALESCE(SUM(amount), 0)::text FROM holdings WHERE wallet = $1 AND mint = $2) AS balance`,
      [wallet, t.mint],
    );
    const r = rows[0]!;
    let commitment: bigint | undefined;
    if (r.commitment) {
      const c = BigInt(`0x${r.commitment.toString('hex')}`);
      if (isField(c)) commitment = c;
      else this.log.warn(`wallet ${bs58.encode(wallet)}: registered commitment is not a field element; no leaf`);
    }
    const want = commitment !== undefined && BigInt(r.balance) >= 1n;
    await this.setLeaf(client, t, wallet, want, commitment, slot, out);
  }

  private async setLeaf(
    client: PoolClient,
    t: TrackRow,
    wallet: Buffer,
    want: boolean,
    commitment: bigint | undefined,
    slot: number,
    out: OutboxRecord[],
  ): Promise<void> {
    const { rows } = await client.query<{ present: boolean; leaf: Buffer }>(
      `SELECT present, leaf FROM indexer_leaves WHERE track_id = $1 AND wallet = $2 FOR UPDATE`,
      [t.trackId.toString(), wallet],
    );
    const cur = rows[0];
    if (want === (cur?.present ?? false)) return;
    let leaf: Buffer;
    if (want) {
      const mintKey = t.mint.toString('hex');
      let tf = this.tokenFields.get(mintKey);
      if (tf === undefined) {
        tf = tokenField(t.mint);
        this.tokenFields.set(mintKey, tf);
      }
      leaf = Buffer.from(fieldToHex(leafHash(commitment!, tf, t.trackId)).slice(2), 'hex');
    } else {
      leaf = cur!.leaf;
    }
    const { rows: seqRows } = await client.query<{ last_seq: string }>(
      `INSERT INTO indexer_leaf_seq (track_id, last_seq) VALUES ($1, 1)
       ON CONFLICT (track_id) DO UPDATE SET last_seq = indexer_leaf_seq.last_seq + 1 RETURNING last_seq::text`,
      [t.trackId.toString()],
    );
    const changeSeq = BigInt(seqRows[0]!.last_seq);
    await client.query(
      `INSERT INTO indexer_leaves (track_id, wallet, leaf, present, change_seq) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (track_id, wallet) DO UPDATE SET leaf = EXCLUDED.leaf, present = EXCLUDED.present, change_seq = EXCLUDED.change_seq`,
      [t.trackId.toString(), wallet, leaf, want, changeSeq.toString()],
    );
    const op = want ? 'append' : 'revoke';
    const value = { trackId: t.trackId, changeSeq, op, leaf: `0x${leaf.toString('hex')}`, depth: t.depth, slot, mint: bs58.encode(t.mint) } as const;
    out.push({ topic: this.topics.leafChanges, key: leafChangeKey(value), value: leafChangeCodec.encode(value) });
    this.metrics?.leafChanges.inc({ op });
  }
}

