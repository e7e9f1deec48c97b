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

/** The (track, wallet) pairs whose leaf must be re-evaluated at the end of a batch. */
class Dirty {
  readonly pairs = new Map<string, { trackId: bigint; wallet: Buffer }>();
  readonly wallets = new Map<string, Buffer>();
  readonly newTracks = new Set<bigint>();
  /** Tracks whose registration was reverted: every leaf they have goes. */
  readonly goneTracks = new Map<bigint, TrackRow>();

  pair(trackId: bigint, wallet: Buffer): void {
    this.pairs.set(`${trackId}:${wallet.toString('hex')}`, { trackId, wallet });
  }
}

/**
 * The projector's use case: applies a batch of chain updates to the projections (identities,
 * holdings, tracks, nullifiers, verifications, accepted roots) and derives leaf changes, all inside
 * the caller's transaction. Leaf changes and dead letters are written to the outbox of that same
 * transaction, so effects, offsets and outgoing records commit (or vanish) together.
 *
 * Leaf rule: a leaf exists for (track, wallet) exactly while the wallet has a registered identity
 * AND holds >= 1 token (summed over its token accounts) of the track's mint. The batch is applied
 * set-based: holdings are reduced to the newest write per token account (the (slot, write_version)
 * guard makes that order-independent) and upserted in one statement; every (track, wallet) pair an
 * update may have affected is collected, and the rule is evaluated once per pair at the end of the
 * batch against indexer_leaves (what the registry was told), emitting append or revoke. A transfer
 * therefore becomes a revoke for the sender and an append for the receiver; a change undone within
 * the same batch emits nothing.
 */
export class ProjectChainUpdates {
  private readonly log = new Logger('projector');
  private readonly tokenFields = new Map<string, bigint>();

  constructor(
    private readonly opts: {
      topics?: Partial<ProjectorTopics>;
      consumerGroup?: string;
      metrics?: ProjectorMetrics;
    } = {},
  ) {
    this.topics = { chainUpdates: CHAIN_UPDATES_TOPIC, leafChanges: LEAF_CHANGES_TOPIC, ...opts.topics };
    this.metrics = opts.metrics;
  }

  private readonly topics: ProjectorTopics;
  private readonly metrics?: ProjectorMetrics;

  /**
   * Several partitions' records in one go (the partition batches of one consumer transaction):
   * each partition's records in offset order, partition after partition; holdings, the leaf rule,
   * the outbox and the checkpoint once for all of them. Partitions are independent streams (per
   * key order only), and the holdings upsert is order-independent, so this ends in the state that
   * applying them one after another would; leaf changes undone within the group are not emitted.
   */
  async apply(
    client: PoolClient,
    batches: readonly { partition: number; messages: readonly KafkaMessage[] }[],
  ): Promise<void> {
    const out: OutboxRecord[] = [];
    const dead: { partition: number; offset: string; code: string; reason: string }[] = [];
    const dirty = new Dirty();
    const holdings = new Map<string, HoldingChangedUpdate>();
    let maxSlot = -1;
    const perType = new Map<string, number>();
    for (const { partition, messages } of batches)
      for (const m of messages) {
        const decoded = chainUpdateCodec.decode(m.value);
        if (!decoded.ok) {
          this.deadLetter(out, dead, m, partition, decoded.error.code, decoded.error.message);
          continue;
        }
        const u = decoded.value;
        maxSlot = Math.max(maxSlot, u.slot);
        perType.set(u.type, (perType.get(u.type) ?? 0) + 1);
        switch (u.type) {
          case 'holding_changed': {
            const prev = holdings.get(u.tokenAccount);
            if (!prev || prev.slot < u.slot || (prev.slot === u.slot && prev.writeVersion < u.writeVersion))
              holdings.set(u.tokenAccount, u);
            break;
          }
          case 'identity_registered':
            await this.identityRegistered(client, u, dirty);
            break;
          case 'track_registered':
            await this.trackRegistered(client, u, dirty);
            break;
          case 'root_updated':
            await this.rootUpdated(client, u);
            break;
          case 'ownership_verified':
            await this.ownershipVerified(client, u);
            break;
          case 'slot_status':
            break;
          case 'event_reverted':
            await this.reverted(client, u, dirty);
            break;
        }
      }
    // One counter update per record type and batch (a labelled inc per record costs more).
    for (const [type, n] of perType) this.metrics?.records.inc({ type }, n);
    await this.upsertHoldings(client, [...holdings.values()], dirty);
    await this.reconcile(client, dirty, Math.max(maxSlot, 0), out);
    await enqueueOutbox(client, out);
    if (dead.length > 0) {
      await client.query(
        `INSERT INTO indexer_dead_letters (topic, partition, "offset", code, reason)
         SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[])`,
        [
          this.topics.chainUpdates,
          dead.map((d) => d.partition),
          dead.map((d) => d.offset),
          dead.map((d) => d.code),
          dead.map((d) => d.reason),
        ],
      );
    }
    if (maxSlot >= 0) {
      await client.query(
        `INSERT INTO indexer_checkpoints (name, slot) VALUES ('projector', $1)
         ON CONFLICT (name) DO UPDATE SET slot = GREATEST(indexer_checkpoints.slot, EXCLUDED.slot), updated_at = now()`,
        [maxSlot],
      );
    }
  }

  private deadLetter(
    out: OutboxRecord[],
    dead: { partition: number; offset: string; code: string; reason: string }[],
    m: KafkaMessage,
    partition: number,
    code: string,
    reason: string,
  ): void {
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
    dead.push({ partition, offset: m.offset, code, reason });
    this.metrics?.deadLetters.inc({ code });
    this.log.warn(`dead-lettered ${this.topics.chainUpdates}/${partition}@${m.offset} (${code}): ${reason}`);
  }

  private async identityRegistered(
    client: PoolClient,
    u: IdentityRegisteredUpdate,
    dirty: Dirty,
  ): Promise<void> {
    const wallet = pk(u.wallet);
    const { rowCount } = await client.query(
      `INSERT INTO identities (wallet, commitment, slot, signature) VALUES ($1, $2, $3, $4) ON CONFLICT (wallet) DO NOTHING`,
      [wallet, hex(u.commitment), u.slot, u.signature],
    );
    if (rowCount) dirty.wallets.set(wallet.toString('hex'), wallet); // else: a replay, or a registration the program refuses
  }

  /** One guarded multi-row upsert; returns nothing, marks the (track, wallet) pairs it touched. */
  private async upsertHoldings(client: PoolClient, hs: HoldingChangedUpdate[], dirty: Dirty): Promise<void> {
    if (hs.length === 0) return;
    const { rows } = await client.query<{
      wallet: Buffer;
      mint: Buffer;
      old_wallet: Buffer | null;
      old_mint: Buffer | null;
    }>(
      `WITH input AS (
         SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::numeric[], $5::bigint[], $6::bigint[])
           AS x(token_account, wallet, mint, amount, slot, write_version)),
       old AS (SELECT h.token_account, h.wallet, h.mint FROM holdings h JOIN input i ON i.token_account = h.token_account)
       INSERT INTO holdings (token_account, wallet, mint, amount, slot, write_version)
       SELECT token_account, wallet, mint, amount, slot, write_version FROM input
       ON CONFLICT (token_account) DO UPDATE
         SET wallet = EXCLUDED.wallet, mint = EXCLUDED.mint, amount = EXCLUDED.amount, slot = EXCLUDED.slot,
             write_version = EXCLUDED.write_version, updated_at = now()
         WHERE (holdings.slot, holdings.write_version) < (EXCLUDED.slot, EXCLUDED.write_version)
       RETURNING holdings.wallet, holdings.mint,
         (SELECT o.wallet FROM old o WHERE o.token_account = holdings.token_account) AS old_wallet,
         (SELECT o.mint FROM old o WHERE o.token_account = holdings.token_account) AS old_mint`,
      [
        hs.map((h) => pk(h.tokenAccount)),
        hs.map((h) => pk(h.wallet)),
        hs.map((h) => pk(h.mint)),
        hs.map((h) => h.amount.toString()),
        hs.map((h) => h.slot),
        hs.map((h) => h.writeVersion.toString()),
      ],
    );
    // Rows not returned were stale (a newer state of that account is already projected).
    const touched: [Buffer, Buffer][] = [];
    for (const r of rows) {
      touched.push([r.mint, r.wallet]);
      if (r.old_wallet && r.old_mint && (!r.old_wallet.equals(r.wallet) || !r.old_mint.equals(r.mint)))
        touched.push([r.old_mint, r.old_wallet]);
    }
    if (touched.length === 0) return;
    const mints = [...new Map(touched.map(([m]) => [m.toString('hex'), m])).values()];
    const { rows: tracks } = await client.query<{ track_id: string; mint: Buffer }>(
      `SELECT track_id::text, mint FROM tracks WHERE mint = ANY($1::bytea[])`,
      [mints],
    );
    const trackOf = new Map(tracks.map((t) => [t.mint.toString('hex'), BigInt(t.track_id)]));
    for (const [m, w] of touched) {
      const t = trackOf.get(m.toString('hex'));
      if (t !== undefined) dirty.pair(t, w);
    }
  }

  private async trackRegistered(client: PoolClient, u: TrackRegisteredUpdate, dirty: Dirty): Promise<void> {
    const { rowCount } = await client.query(
      `INSERT INTO tracks (track_id, mint, depth, slot, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [u.trackId.toString(), pk(u.mint), u.depth, u.slot, u.signature],
    );
    if (rowCount) dirty.newTracks.add(u.trackId);
  }
  private async rootUpdated(client: PoolClient, u: RootUpdatedUpdate): Promise<void> {
    const root = hex(u.root);
    const { rows } = await client.query<{ root: Buffer }>(
      `SELECT root FROM merkle_roots WHERE track_id = $1 AND seq = $2`,
      [u.trackId.toString(), u.seq.toString()],
    );
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
      this.log.warn(
        `track ${u.trackId} seq ${u.seq}: on-chain root ${u.root} has no registry root for that seq yet`,
      );
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
  private async reverted(client: PoolClient, u: EventRevertedUpdate, dirty: Dirty): Promise<void> {
    const o = u.original;
    switch (o.type) {
      case 'identity_registered': {
        const wallet = pk(o.wallet);
        const { rowCount } = await client.query(
          `DELETE FROM identities WHERE wallet = $1 AND signature = $2`,
          [wallet, o.signature],
        );
        if (rowCount) dirty.wallets.set(wallet.toString('hex'), wallet);
        return;
      }
      case 'track_registered': {
        const { rows } = await client.query<{ mint: Buffer; depth: number }>(
          `DELETE FROM tracks WHERE track_id = $1 AND signature = $2 RETURNING mint, depth`,
          [o.trackId.toString(), o.signature],
        );
        const gone = rows[0];
        if (gone) {
          dirty.newTracks.delete(o.trackId);
          dirty.goneTracks.set(o.trackId, { trackId: o.trackId, mint: gone.mint, depth: gone.depth });
        }
        return;
      }
      case 'root_updated':
        await client.query(
          `DELETE FROM indexer_onchain_roots WHERE track_id = $1 AND seq = $2 AND signature = $3`,
          [o.trackId.toString(), o.seq.toString(), o.signature],
        );
        await client.query(
          `UPDATE merkle_roots SET accepted = false, accepted_slot = NULL, accepted_signature = NULL
           WHERE track_id = $1 AND seq = $2 AND accepted_signature = $3`,
          [o.trackId.toString(), o.seq.toString(), o.signature],
        );
        return;
      case 'ownership_verified':
        await client.query(`DELETE FROM verifications WHERE nullifier = $1 AND signature = $2`, [
          hex(o.nullifier),
          o.signature,
        ]);
        await client.query(`DELETE FROM nullifiers WHERE hash = $1 AND tx_signature = $2`, [
          hex(o.nullifier),
          o.signature,
        ]);
        return;
    }
  }

  /**
   * Evaluates the leaf rule for every pair the batch may have changed (in track, wallet order, so
   * change seqs are deterministic for a given batch) and emits the differences.
   */
  private async reconcile(
    client: PoolClient,
    dirty: Dirty,
    slot: number,
    out: OutboxRecord[],
  ): Promise<void> {
    const wallets = [...dirty.wallets.values()];
    if (wallets.length > 0) {
      const { rows } = await client.query<{ track_id: string; wallet: Buffer }>(
        `SELECT t.track_id::text, h.wallet FROM holdings h JOIN tracks t ON t.mint = h.mint WHERE h.wallet = ANY($1::bytea[])
         UNION SELECT l.track_id::text, l.wallet FROM indexer_leaves l WHERE l.wallet = ANY($1::bytea[]) AND l.present`,
        [wallets],
      );
      for (const r of rows) dirty.pair(BigInt(r.track_id), r.wallet);
    }
    if (dirty.newTracks.size > 0) {
      const { rows } = await client.query<{ track_id: string; wallet: Buffer }>(
        `SELECT DISTINCT t.track_id::text, h.wallet FROM tracks t JOIN holdings h ON h.mint = t.mint JOIN identities i ON i.wallet = h.wallet
          WHERE t.track_id = ANY($1::bigint[])`,
        [[...dirty.newTracks].map(String)],
      );
      for (const r of rows) dirty.pair(BigInt(r.track_id), r.wallet);
    }
    if (dirty.goneTracks.size > 0) {
      const { rows } = await client.query<{ track_id: string; wallet: Buffer }>(
        `SELECT track_id::text, wallet FROM indexer_leaves WHERE track_id = ANY($1::bigint[]) AND present`,
        [[...dirty.goneTracks.keys()].map(String)],
      );
      for (const r of rows) dirty.pair(BigInt(r.track_id), r.wallet);
    }
    const pairs = [...dirty.pairs.values()].sort((a, b) =>
      a.trackId !== b.trackId ? (a.trackId < b.trackId ? -1 : 1) : Buffer.compare(a.wallet, b.wallet),
    );
    if (pairs.length === 0) return;
    const { rows } = await client.query<{
      track_id: string;
      wallet: Buffer;
      mint: Buffer | null;
      depth: number | null;
      commitment: Buffer | null;
      balance: string;
      present: boolean | null;
      leaf: Buffer | null;
    }>(
      `SELECT p.track_id::text, p.wallet, t.mint, t.depth, i.commitment, COALESCE(b.balance, 0)::text AS balance, l.present, l.leaf
         FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS p(track_id, wallet, ord)
         LEFT JOIN tracks t ON t.track_id = p.track_id
         LEFT JOIN identities i ON i.wallet = p.wallet
         LEFT JOIN LATERAL (SELECT SUM(h.amount) AS balance FROM holdings h WHERE h.wallet = p.wallet AND h.mint = t.mint) b ON true
         LEFT JOIN indexer_leaves l ON l.track_id = p.track_id AND l.wallet = p.wallet
        ORDER BY p.ord`,
      [pairs.map((x) => x.trackId.toString()), pairs.map((x) => x.wallet)],
    );
    const changes: {
      trackId: bigint;
      wallet: Buffer;
      leaf: Buffer;
      present: boolean;
      mint: Buffer;
      depth: number;
    }[] = [];
    for (const r of rows) {
      const trackId = BigInt(r.track_id);
      const track =
        r.mint && r.depth !== null ? { mint: r.mint, depth: r.depth } : dirty.goneTracks.get(trackId);
      let commitment: bigint | undefined;
      if (r.commitment && r.mint) {
        const c = BigInt(`0x${r.commitment.toString('hex')}`);
        if (isField(c)) commitment = c;
        else
          this.log.warn(
            `wallet ${bs58.encode(r.wallet)}: registered commitment is not a field element; no leaf`,
          );
      }
      const want = r.mint !== null && commitment !== undefined && BigInt(r.balance) >= 1n;
      if (want === (r.present ?? false) || !track) continue;
      const leaf = want ? this.leafOf(commitment!, track.mint, trackId) : r.leaf!;
      changes.push({ trackId, wallet: r.wallet, leaf, present: want, mint: track.mint, depth: track.depth });
    }
    if (changes.length === 0) return;
    // Change seqs: one statement reserves a contiguous range per track.
    const perTrack = new Map<bigint, number>();
    for (const c of changes) perTrack.set(c.trackId, (perTrack.get(c.trackId) ?? 0) + 1);
    const { rows: seqRows } = await client.query<{ track_id: string; last_seq: string }>(
      `INSERT INTO indexer_leaf_seq (track_id, last_seq) SELECT * FROM unnest($1::bigint[], $2::bigint[])
       ON CONFLICT (track_id) DO UPDATE SET last_seq = indexer_leaf_seq.last_seq + EXCLUDED.last_seq
       RETURNING track_id::text, last_seq::text`,
      [[...perTrack.keys()].map(String), [...perTrack.values()]],
    );
    const next = new Map(
      seqRows.map((r) => [
        BigInt(r.track_id),
        BigInt(r.last_seq) - BigInt(perTrack.get(BigInt(r.track_id))!) + 1n,
      ]),
    );
    const seqs: bigint[] = [];
    for (const c of changes) {
      const s = next.get(c.trackId)!;
      next.set(c.trackId, s + 1n);
      seqs.push(s);
      const op = c.present ? 'append' : 'revoke';
      const value = {
        trackId: c.trackId,
        changeSeq: s,
        op,
        leaf: `0x${c.leaf.toString('hex')}`,
        depth: c.depth,
        slot,
        mint: bs58.encode(c.mint),
      } as const;
      out.push({
        topic: this.topics.leafChanges,
        key: leafChangeKey(value),
        value: leafChangeCodec.encode(value),
      });
      this.metrics?.leafChanges.inc({ op });
    }
    await client.query(
      `INSERT INTO indexer_leaves (track_id, wallet, leaf, present, change_seq)
       SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bool[], $5::bigint[])
       ON CONFLICT (track_id, wallet) DO UPDATE SET leaf = EXCLUDED.leaf, present = EXCLUDED.present, change_seq = EXCLUDED.change_seq`,
      [
        changes.map((c) => c.trackId.toString()),
        changes.map((c) => c.wallet),
        changes.map((c) => c.leaf),
        changes.map((c) => c.present),
        seqs.map(String),
      ],
    );
  }

  private leafOf(commitment: bigint, mint: Buffer, trackId: bigint): Buffer {
    const mintKey = mint.toString('hex');
    let tf = this.tokenFields.get(mintKey);
    if (tf === undefined) {
      tf = tokenField(mint);
      this.tokenFields.set(mintKey, tf);
    }
    return Buffer.from(fieldToHex(leafHash(commitment, tf, trackId)).slice(2), 'hex');
  }
}
