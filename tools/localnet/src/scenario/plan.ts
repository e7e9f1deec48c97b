import { Prng } from './prng';
import { identityCommitment, mintOf, scenarioKeys, trackIdOf } from './keys';

export interface ScenarioSpec {
  seed: string;
  /** N tracks (each its own mint, depth 20). */
  tracks: number;
  /** M holder wallets. */
  holders: number;
  /** Share of holders that register an identity at the start (others may register later, or never). */
  identityShare: number;
  /** Holders that receive one token of each track at the start. */
  initialHoldersPerTrack: number;
  /** Ownership changes (transfers, burns, late identity registrations) after the start. */
  churn: number;
  /** Churn transactions per slot (the rate). */
  churnPerSlot: number;
  /** record_verification calls (each preceded by an update_root of a placeholder root when needed). */
  verifications: number;
}

export const DEFAULT_SCENARIO: ScenarioSpec = {
  seed: 'rv-scenario',
  tracks: 3,
  holders: 20,
  identityShare: 0.7,
  initialHoldersPerTrack: 8,
  churn: 60,
  churnPerSlot: 10,
  verifications: 4,
};

export type Step =
  | { kind: 'initialize' }
  | { kind: 'register_track'; track: number }
  | { kind: 'register_identity'; holder: number }
  | { kind: 'open_account'; holder: number; track: number }
  | { kind: 'mint'; holder: number; track: number; amount: bigint }
  | { kind: 'transfer'; from: number; to: number; track: number; amount: bigint }
  | { kind: 'burn'; holder: number; track: number; amount: bigint }
  | { kind: 'publish_root'; track: number; seq: bigint; root: Uint8Array }
  | { kind: 'verify'; holder: number; track: number; scope: bigint; root: Uint8Array };

/** Steps grouped by slot: every step is one transaction, every batch lands in one slot. */
export interface Plan {
  spec: ScenarioSpec;
  batches: Step[][];
}

interface Model {
  balances: Map<string, bigint>; // `${holder}/${track}`
  accounts: Set<string>;
  identities: Set<number>;
  seqs: Map<number, bigint>;
  roots: Map<number, Uint8Array[]>;
}

const key = (h: number, t: number) => `${h}/${t}`;

function placeholderRoot(seed: string, track: number, seq: bigint): Uint8Array {
  // Not a Merkle root: a deterministic 32-byte value below the field modulus (top byte 0).
  const b = new Uint8Array(32);
  const s = `${seed}/${track}/${seq}`;
  for (let i = 0; i < s.length; i++)
    b[1 + (i % 31)] = ((b[1 + (i % 31)] as number) * 31 + s.charCodeAt(i)) & 0xff;
  return b;
}

/** The deterministic plan of a scenario: the same spec always gives the same steps. */
export function planScenario(spec: ScenarioSpec): Plan {
  const rnd = new Prng(spec.seed);
  const m: Model = {
    balances: new Map(),
    accounts: new Set(),
    identities: new Set(),
    seqs: new Map(),
    roots: new Map(),
  };
  const setup: Step[] = [{ kind: 'initialize' }];
  for (let t = 0; t < spec.tracks; t++) setup.push({ kind: 'register_track', track: t });
  const batches: Step[][] = [setup];

  const ids: Step[] = [];
  for (let h = 0; h < spec.holders; h++) {
    if (rnd.next() < spec.identityShare) {
      ids.push({ kind: 'register_identity', holder: h });
      m.identities.add(h);
    }
  }
  if (ids.length) batches.push(ids);

  const open = (h: number, t: number, out: Step[]) => {
    if (m.accounts.has(key(h, t))) return;
    m.accounts.add(key(h, t));
    out.push({ kind: 'open_account', holder: h, track: t });
  };
  const initial: Step[] = [];
  for (let t = 0; t < spec.tracks; t++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(spec.initialHoldersPerTrack, spec.holders))
      chosen.add(rnd.int(spec.holders));
    for (const h of [...chosen].sort((a, b) => a - b)) {
      open(h, t, initial);
      initial.push({ kind: 'mint', holder: h, track: t, amount: 1n });
      m.balances.set(key(h, t), (m.balances.get(key(h, t)) ?? 0n) + 1n);
    }
  }
  batches.push(initial);

  let batch: Step[] = [];
  let inBatch = 0;
  const flush = () => {
    if (batch.length) batches.push(batch);
    batch = [];
    inBatch = 0;
  };
  for (let i = 0; i < spec.churn; i++) {
    const holdings = [...m.balances]
      .filter(([, v]) => v > 0n)
      .map(([k]) => k.split('/').map(Number) as [number, number]);
    const r = rnd.next();
    if (r < 0.1) {
      const without = Array.from({ length: spec.holders }, (_v, h) => h).filter((h) => !m.identities.has(h));
      if (without.length) {
        const h = rnd.pick(without);
        batch.push({ kind: 'register_identity', holder: h });
        m.identities.add(h);
      }
    } else if (r < 0.22 && holdings.length) {
      const [h, t] = rnd.pick(holdings);
      batch.push({ kind: 'burn', holder: h, track: t, amount: 1n });
      m.balances.set(key(h, t), (m.balances.get(key(h, t)) as bigint) - 1n);
    } else if (r < 0.3 || !holdings.length) {
      const t = rnd.int(spec.tracks);
      const h = rnd.int(spec.holders);
      open(h, t, batch);
      batch.push({ kind: 'mint', holder: h, track: t, amount: 1n });
      m.balances.set(key(h, t), (m.balances.get(key(h, t)) ?? 0n) + 1n);
    } else {
      const [from, t] = rnd.pick(holdings);
      let to = rnd.int(spec.holders);
      if (to === from) to = (to + 1) % spec.holders;
      open(to, t, batch);
      batch.push({ kind: 'transfer', from, to, track: t, amount: 1n });
      m.balances.set(key(from, t), (m.balances.get(key(from, t)) as bigint) - 1n);
      m.balances.set(key(to, t), (m.balances.get(key(to, t)) ?? 0n) + 1n);
    }
    if (++inBatch >= spec.churnPerSlot) flush();
  }
  flush();

  const verifyBatch: Step[] = [];
  let scope = 1n;
  for (let v = 0; v < spec.verifications; v++) {
    const eligible = [...m.balances].filter(
      ([k, val]) => val > 0n && m.identities.has(Number(k.split('/')[0])),
    );
    if (!eligible.length) break;
    const [h, t] = (rnd.pick(eligible)[0] as string).split('/').map(Number) as [number, number];
    const seq = (m.seqs.get(t) ?? 0n) + 1n;
    m.seqs.set(t, seq);
    const root = placeholderRoot(spec.seed, t, seq);
    verifyBatch.push({ kind: 'publish_root', track: t, seq, root });
    verifyBatch.push({ kind: 'verify', holder: h, track: t, scope: scope++, root });
  }
  if (verifyBatch.length) batches.push(verifyBatch);
  return { spec, batches };
}

export interface ExpectedState {
  tracks: { trackId: string; mint: string }[];
  /** Wallets with a registered identity and their commitments (hex). */
  identities: { wallet: string; commitment: string }[];
  /** Token balances > 0, per wallet and mint. */
  holdings: { wallet: string; mint: string; amount: string }[];
  /** Per track: the (wallet, mint) pairs that must have a leaf (holds >= 1 and has an identity). */
  leaves: Record<string, { wallet: string; mint: string }[]>;
  /** Roots last published per track (placeholder values, not Merkle roots). */
  lastSeq: Record<string, string>;
  verifications: number;
}

/** The final state a correct indexer derives from running `plan` (computed without any chain). */
export function expectedState(plan: Plan): ExpectedState {
  const seed = plan.spec.seed;
  const balances = new Map<string, bigint>();
  const identities = new Set<number>();
  const lastSeq: Record<string, string> = {};
  let verifications = 0;
  for (const step of plan.batches.flat()) {
    switch (step.kind) {
      case 'register_identity':
        identities.add(step.holder);
        break;
      case 'mint':
        balances.set(
          key(step.holder, step.track),
          (balances.get(key(step.holder, step.track)) ?? 0n) + step.amount,
        );
        break;
      case 'burn':
        balances.set(
          key(step.holder, step.track),
          (balances.get(key(step.holder, step.track)) ?? 0n) - step.amount,
        );
        break;
      case 'transfer':
        balances.set(
          key(step.from, step.track),
          (balances.get(key(step.from, step.track)) ?? 0n) - step.amount,
        );
        balances.set(key(step.to, step.track), (balances.get(key(step.to, step.track)) ?? 0n) + step.amount);
        break;
      case 'publish_root':
        lastSeq[trackIdOf(step.track).toString()] = step.seq.toString();
        break;
      case 'verify':
        verifications++;
        break;
      case 'initialize':
      case 'register_track':
      case 'open_account':
        break;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }
  const wallet = (h: number) => scenarioKeys.holder(seed, h).publicKey.toBase58();
  const holdings = [...balances]
    .filter(([, v]) => v > 0n)
    .map(([k, v]) => {
      const [h, t] = k.split('/').map(Number) as [number, number];
      return { h, t, wallet: wallet(h), mint: mintOf(seed, t).toBase58(), amount: v.toString() };
    })
    .sort((a, b) => a.t - b.t || a.h - b.h);
  const leaves: ExpectedState['leaves'] = {};
  for (let t = 0; t < plan.spec.tracks; t++) leaves[trackIdOf(t).toString()] = [];
  for (const x of holdings) {
    if (identities.has(x.h))
      (leaves[trackIdOf(x.t).toString()] as { wallet: string; mint: string }[]).push({
        wallet: x.wallet,
        mint: x.mint,
      });
  }
  return {
    tracks: Array.from({ length: plan.spec.tracks }, (_v, t) => ({
      trackId: trackIdOf(t).toString(),
      mint: mintOf(seed, t).toBase58(),
    })),
    identities: [...identities]
      .sort((a, b) => a - b)
      .map((h) => ({
        wallet: wallet(h),
        commitment: Buffer.from(identityCommitment(seed, h)).toString('hex'),
      })),
    holdings: holdings.map(({ wallet: w, mint, amount }) => ({ wallet: w, mint, amount })),
    leaves,
    lastSeq,
    verifications,
  };
}
