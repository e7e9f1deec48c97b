import { fieldFromHex, fieldToHex, leafHash, tokenField } from '@rv/crypto';
import type { ExpectedState as ChainExpected } from '../../../../tools/localnet/src/scenario/plan';
import type { ScenarioTarget } from '../../../../tools/localnet/src/scenario/run';
import type { Pipeline } from './harness';

/** Leaves per track (sorted hex) that the local chain's expected final state implies. */
export function expectedLeaves(exp: ChainExpected): Map<bigint, string[]> {
  const commitments = new Map(exp.identities.map((i) => [i.wallet, fieldFromHex(`0x${i.commitment}`)]));
  const out = new Map<bigint, string[]>();
  for (const [trackId, pairs] of Object.entries(exp.leaves)) {
    const t = BigInt(trackId);
    out.set(
      t,
      pairs.map((p) => fieldToHex(leafHash(commitments.get(p.wallet)!, tokenField(p.mint), t))).sort(),
    );
  }
  return out;
}

/** Asserts the projections and the registry equal the chain scenario's expected state, exactly. */
export async function expectChainState(p: Pipeline, exp: ChainExpected): Promise<void> {
  const q = async <T>(sql: string) => (await p.pool.query(sql)).rows as T[];
  const identities = await q<{ wallet: string; commitment: string }>(
    `SELECT encode(wallet, 'hex') AS wallet, encode(commitment, 'hex') AS commitment FROM identities ORDER BY 1`,
  );
  const bs58 = (await import('bs58')).default;
  expect(
    identities
      .map((i) => ({ wallet: bs58.encode(Buffer.from(i.wallet, 'hex')), commitment: i.commitment }))
      .sort((a, b) => (a.wallet < b.wallet ? -1 : 1)),
  ).toEqual([...exp.identities].sort((a, b) => (a.wallet < b.wallet ? -1 : 1)));
  const holdings = await q<{ wallet: Buffer; mint: Buffer; amount: string }>(
    `SELECT wallet, mint, amount::text FROM holdings WHERE amount > 0`,
  );
  const key = (h: { wallet: string; mint: string }) => `${h.wallet}/${h.mint}`;
  expect(
    holdings
      .map((h) => ({ wallet: bs58.encode(h.wallet), mint: bs58.encode(h.mint), amount: h.amount }))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  ).toEqual([...exp.holdings].sort((a, b) => (key(a) < key(b) ? -1 : 1)));
  const leaves = await p.registryLeaves();
  const want = expectedLeaves(exp);
  expect([...want.values()].flat().length).toBeGreaterThan(0);
  for (const [t, l] of want)
    expect({ track: t, leaves: leaves.get(t) ?? [] }).toEqual({ track: t, leaves: l });
  for (const r of await p.rootsCheck()) expect(r.stored).toBe(r.recomputed);
  const [counts] = await q<{ v: string; n: string; dup: string }>(
    `SELECT (SELECT COUNT(*) FROM verifications)::text AS v, (SELECT COUNT(*) FROM nullifiers)::text AS n,
            (SELECT COUNT(*) FROM (SELECT track_id, leaf_hash FROM merkle_leaves WHERE revoked_at IS NULL GROUP BY 1, 2 HAVING COUNT(*) > 1) d)::text AS dup`,
  );
  expect(counts).toEqual({ v: String(exp.verifications), n: String(exp.verifications), dup: '0' });
  const roots = await q<{ track_id: string; seq: string }>(
    `SELECT track_id::text, MAX(seq)::text AS seq FROM indexer_onchain_roots GROUP BY 1 ORDER BY 1`,
  );
  expect(Object.fromEntries(roots.map((r) => [r.track_id, r.seq]))).toEqual(exp.lastSeq);
}

/**
 * A scenario target for tests and benches. The in-process local chain executes transactions synchronously; without a macrotask yield now
 * and then, gRPC, Kafka and PostgreSQL I/O in the same process starve (Kafka sessions time out).
 */
export function yielding(t: ScenarioTarget, every = 25): ScenarioTarget {
  let n = 0;
  return {
    ...t,
    async send(ixs, signers) {
      let r: string;
      try {
        r = await t.send(ixs, signers);
      } catch (e) {
        // Two identical steps in one slot make byte-identical transactions (same blockhash): the
        // second is refused as AlreadyProcessed. Send it again in the next slot (fresh blockhash).
        if (!(e instanceof Error) || !e.message.includes('AlreadyProcessed')) throw e;
        await t.nextSlot();
        r = await t.send(ixs, signers);
      }
      if (++n % every === 0) await new Promise((res) => setImmediate(res));
      return r;
    },
    async nextSlot() {
      await t.nextSlot();
      await new Promise((res) => setImmediate(res));
    },
  };
}
