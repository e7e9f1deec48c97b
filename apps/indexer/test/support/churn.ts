import { randomBytes } from 'crypto';
import bs58 from 'bs58';
import { fieldToHex, FIELD_MODULUS, leafHash, tokenField } from '@rv/crypto';
import type { ChainUpdate } from '@rv/events';

/** A deterministic PRNG (mulberry32) so a scenario and its expected state are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const key32 = (rand: () => number): string =>
  bs58.encode(Buffer.from(Array.from({ length: 32 }, () => Math.floor(rand() * 256))));
const sig = (): string => bs58.encode(randomBytes(64));
const field = (rand: () => number): bigint => {
  let x = 0n;
  for (let i = 0; i < 4; i++)
    x =
      (x << 64n) | (BigInt(Math.floor(rand() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rand() * 2 ** 32)));
  return x % FIELD_MODULUS;
};

export interface ChurnOptions {
  seed: number;
  tracks: number;
  holders: number;
  changes: number;
  verifications: number;
  /** Re-send this fraction of earlier records at the end (stale/duplicate deliveries). */
  replayFraction?: number;
}

export interface ExpectedState {
  /** trackId → sorted live leaf hex strings. */
  leaves: Map<bigint, string[]>;
  identities: number;
  nullifiers: string[];
  tracks: { trackId: bigint; mint: string }[];
}

/**
 * A synthetic churn scenario written directly as chain updates (what the ingest would publish):
 * tracks, identity registrations, mints, transfers (two account writes in one slot), burns,
 * verifications; plus stale re-deliveries. Returns the records and the exact final state.
 */
export function churnScenario(o: ChurnOptions): { updates: ChainUpdate[]; expected: ExpectedState } {
  const rand = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const updates: ChainUpdate[] = [];
  let slot = 10;
  let wv = 1n;
  const tracks = Array.from({ length: o.tracks }, (_, i) => ({ trackId: BigInt(i + 1), mint: key32(rand) }));
  for (const t of tracks) {
    const s = sig();
    updates.push({
      type: 'track_registered',
      id: `${s}:0`,
      slot,
      signature: s,
      trackId: t.trackId,
      mint: t.mint,
      depth: 20,
    });
  }
  const wallets = Array.from({ length: o.holders }, () => key32(rand));
  const commitments = new Map<string, bigint>();
  const accounts = new Map<string, { account: string; amount: bigint }>(); // `${wallet}:${mint}`
  const account = (w: string, m: string) => {
    const k = `${w}:${m}`;
    let a = accounts.get(k);
    if (!a) accounts.set(k, (a = { account: key32(rand), amount: 0n }));
    return a;
  };
  const write = (w: string, m: string, amount: bigint) => {
    const a = account(w, m);
    a.amount = amount;
    const v = wv++;
    updates.push({
      type: 'holding_changed',
      id: `${a.account}:${v}`,
      slot,
      tokenAccount: a.account,
      wallet: w,
      mint: m,
      amount,
      writeVersion: v,
    });
  };
  let changes = 0;
  while (changes < o.changes) {
    slot += rand() < 0.3 ? 1 : 0;
    const r = rand();
    const w = pick(wallets);
    const t = pick(tracks);
    if (r < 0.12 && !commitments.has(w)) {
      const c = field(rand);
      commitments.set(w, c);
      const s = sig();
      updates.push({
        type: 'identity_registered',
        id: `${s}:0`,
        slot,
        signature: s,
        wallet: w,
        commitment: fieldToHex(c),
      });
    } else if (r < 0.45) {
      write(w, t.mint, account(w, t.mint).amount + BigInt(1 + Math.floor(rand() * 3)));
      changes++;
    } else if (r < 0.9) {
      const from = account(w, t.mint);
      if (from.amount === 0n) continue;
      const to = pick(wallets.filter((x) => x !== w));
      const n = rand() < 0.6 ? from.amount : 1n;
      write(w, t.mint, from.amount - n);
      write(to, t.mint, account(to, t.mint).amount + n);
      changes += 2;
    } else {
      const a = account(w, t.mint);
      if (a.amount === 0n) continue;
      write(w, t.mint, a.amount - 1n);
      changes++;
    }
  }
  const nullifiers: string[] = [];
  for (let i = 0; i < o.verifications; i++) {
    const s = sig();
    const n = fieldToHex(field(rand));
    nullifiers.push(n);
    updates.push({
      type: 'ownership_verified',
      id: `${s}:0`,
      slot,
      signature: s,
      trackId: pick(tracks).trackId,
      scope: fieldToHex(field(rand)),
      nullifier: n,
      root: fieldToHex(field(rand)),
    });
  }
  // Stale or duplicate deliveries: must change nothing.
  const replays = Math.floor(updates.length * (o.replayFraction ?? 0));
  for (let i = 0; i < replays; i++) updates.push(updates[Math.floor(rand() * (updates.length - replays))]!);

  const leaves = new Map<bigint, string[]>();
  for (const t of tracks) {
    const tf = tokenField(t.mint);
    const live: string[] = [];
    for (const w of wallets) {
      const c = commitments.get(w);
      const a = accounts.get(`${w}:${t.mint}`);
      if (c !== undefined && a && a.amount >= 1n) live.push(fieldToHex(leafHash(c, tf, t.trackId)));
    }
    leaves.set(t.trackId, live.sort());
  }
  return {
    updates,
    expected: { leaves, identities: commitments.size, nullifiers: nullifiers.sort(), tracks },
  };
}
