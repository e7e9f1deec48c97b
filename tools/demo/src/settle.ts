import { Client } from 'pg';
import type { ExpectedState } from '../../localnet/src';

export interface SettleState {
  settled: boolean;
  detail: string;
}

/**
 * Whether the projections and trees reflect the scenario's final state: per track, the live
 * leaves equal the expected count, and the newest root was accepted on chain.
 */
export async function checkSettled(db: Client, expected: ExpectedState): Promise<SettleState> {
  const { rows } = await db.query<{
    track_id: string;
    live: string;
    seq: string;
    accepted_seq: string | null;
  }>(
    `SELECT t.track_id,
            (SELECT count(*) FROM merkle_leaves l WHERE l.track_id = t.track_id AND l.revoked_at IS NULL) AS live,
            t.seq,
            (SELECT max(seq) FROM merkle_roots r WHERE r.track_id = t.track_id AND r.accepted) AS accepted_seq
       FROM merkle_trees t`,
  );
  const byTrack = new Map(rows.map((r) => [r.track_id, r]));
  const pending: string[] = [];
  for (const [trackId, leaves] of Object.entries(expected.leaves)) {
    const r = byTrack.get(trackId);
    if (leaves.length === 0 && !r) continue;
    if (!r) {
      pending.push(`track ${trackId}: no tree yet`);
      continue;
    }
    if (Number(r.live) !== leaves.length) pending.push(`track ${trackId}: ${r.live}/${leaves.length} leaves`);
    else if (r.accepted_seq !== r.seq)
      pending.push(`track ${trackId}: root seq ${r.seq} accepted up to ${r.accepted_seq ?? 'none'}`);
  }
  return { settled: pending.length === 0, detail: pending.join('; ') };
}
