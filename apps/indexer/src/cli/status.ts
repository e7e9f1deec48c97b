import type { Connection } from '@solana/web3.js';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { IndexerConfig } from '../indexer.config';

export interface TrackStatus {
  trackId: string;
  leafCount: number;
  treeSeq: number;
  lastAcceptedSeq: number | null;
  pendingLeafChanges: number;
}

export interface IndexerStatus {
  indexedSlot: number | null;
  projectedSlot: number | null;
  chainSlot: number | null;
  slotLag: number | null;
  consumerLag: number | null;
  deadLetters: number;
  unsentOutbox: number;
  tracks: TrackStatus[];
}

/**
 * What `indexer-cli status` prints. Queries (all indexed): indexer_checkpoints PK, tracks PK,
 * merkle_trees PK, merkle_roots PK (track_id, seq), indexer_leaf_seq PK, consumer_offsets PK,
 * indexer_outbox partial index on unsent rows; indexer_dead_letters is counted (small table).
 */
export async function collectStatus(d: {
  pool: Pool;
  kafka: Kafka;
  rpc: Connection;
  cfg: IndexerConfig;
}): Promise<IndexerStatus> {
  const one = async <T>(sql: string, params: unknown[] = []) =>
    (await d.pool.query(sql, params)).rows[0] as T;
  const cp = await one<{ ingest: string | null; projector: string | null }>(
    `SELECT (SELECT slot::text FROM indexer_checkpoints WHERE name = $1) AS ingest, (SELECT slot::text FROM indexer_checkpoints WHERE name = 'projector') AS projector`,
    [`ingest:${d.cfg.INGEST_NAME}`],
  );
  let chainSlot: number | null = null;
  try {
    chainSlot = await d.rpc.getSlot('confirmed');
  } catch {
    chainSlot = null;
  }
  let consumerLag: number | null = null;
  try {
    const admin = d.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(d.cfg.CHAIN_UPDATES_TOPIC);
    await admin.disconnect();
    const { rows } = await d.pool.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset::text FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2`,
      [d.cfg.PROJECTOR_GROUP, d.cfg.CHAIN_UPDATES_TOPIC],
    );
    const done = new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
    consumerLag = ends.reduce((s, e) => s + Math.max(0, Number(e.high) - (done.get(e.partition) ?? 0)), 0);
  } catch {
    consumerLag = null;
  }
  const counts = await one<{ dead: string; unsent: string }>(
    `SELECT (SELECT COUNT(*) FROM indexer_dead_letters)::text AS dead, (SELECT COUNT(*) FROM indexer_outbox WHERE sent_at IS NULL)::text AS unsent`,
  );
  const { rows: tracks } = await d.pool.query<{
    track_id: string;
    leaf_count: string | null;
    seq: string | null;
    accepted: string | null;
    pending: string;
  }>(
    `SELECT t.track_id::text,
            mt.leaf_count::text,
            mt.seq::text,
            (SELECT MAX(r.seq)::text FROM merkle_roots r WHERE r.track_id = t.track_id AND r.accepted) AS accepted,
            (COALESCE(s.last_seq, 0) - COALESCE(mt.change_seq, 0))::text AS pending
       FROM tracks t
       LEFT JOIN merkle_trees mt ON mt.track_id = t.track_id
       LEFT JOIN indexer_leaf_seq s ON s.track_id = t.track_id
      ORDER BY t.track_id`,
  );
  const indexed = cp.ingest !== null ? Number(cp.ingest) : null;
  return {
    indexedSlot: indexed,
    projectedSlot: cp.projector !== null ? Number(cp.projector) : null,
    chainSlot,
    slotLag: indexed !== null && chainSlot !== null ? Math.max(0, chainSlot - indexed) : null,
    consumerLag,
    deadLetters: Number(counts.dead),
    unsentOutbox: Number(counts.unsent),
    tracks: tracks.map((t) => ({
      trackId: t.track_id,
      leafCount: Number(t.leaf_count ?? 0),
      treeSeq: Number(t.seq ?? 0),
      lastAcceptedSeq: t.accepted !== null ? Number(t.accepted) : null,
      pendingLeafChanges: Number(t.pending),
    })),
  };
}

export function formatStatus(s: IndexerStatus): string {
  const v = (x: number | null) => (x === null ? '-' : String(x));
  const lines = [
    `indexed slot ${v(s.indexedSlot)}  chain slot ${v(s.chainSlot)}  lag ${v(s.slotLag)} slots  projected slot ${v(s.projectedSlot)}`,
    `consumer lag ${v(s.consumerLag)} records  dead letters ${s.deadLetters}  unsent leaf changes ${s.unsentOutbox}`,
    '',
    `${'track'.padEnd(8)} ${'leaves'.padStart(8)} ${'tree seq'.padStart(9)} ${'accepted seq'.padStart(13)} ${'pending changes'.padStart(16)}`,
    ...s.tracks.map(
      (t) =>
        `${t.trackId.padEnd(8)} ${String(t.leafCount).padStart(8)} ${String(t.treeSeq).padStart(9)} ${v(t.lastAcceptedSeq).padStart(13)} ${String(t.pendingLeafChanges).padStart(16)}`,
    ),
  ];
  return lines.join('\n');
}
