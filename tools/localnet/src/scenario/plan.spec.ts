import { commitment, fieldToBytes } from '@rv/crypto';
import { expectedState, planScenario, type ScenarioSpec } from './plan';
import { identityCommitment, identitySecret, scenarioKeys } from './keys';

const spec: ScenarioSpec = {
  seed: 'plan-spec',
  tracks: 2,
  holders: 6,
  identityShare: 0.5,
  initialHoldersPerTrack: 3,
  churn: 40,
  churnPerSlot: 7,
  verifications: 2,
};

describe('scenario plan', () => {
  it('is a pure function of the spec (same seed, same steps; other seed, other steps)', () => {
    expect(planScenario(spec)).toEqual(planScenario({ ...spec }));
    expect(planScenario({ ...spec, seed: 'other' }).batches).not.toEqual(planScenario(spec).batches);
  });

  it('respects the churn rate: at most churnPerSlot churn transactions per slot', () => {
    const plan = planScenario(spec);
    const churnBatches = plan.batches.slice(3, -1);
    for (const b of churnBatches)
      expect(b.filter((s) => s.kind !== 'open_account').length).toBeLessThanOrEqual(spec.churnPerSlot);
  });

  it('derives leaves as (holds >= 1) AND (identity registered), from the steps', () => {
    const plan = planScenario(spec);
    const exp = expectedState(plan);
    const bal = new Map<string, bigint>();
    const ids = new Set<string>();
    const w = (h: number) => scenarioKeys.holder(spec.seed, h).publicKey.toBase58();
    for (const s of plan.batches.flat()) {
      if (s.kind === 'register_identity') ids.add(w(s.holder));
      if (s.kind === 'mint')
        bal.set(`${w(s.holder)}/${s.track}`, (bal.get(`${w(s.holder)}/${s.track}`) ?? 0n) + s.amount);
      if (s.kind === 'burn')
        bal.set(`${w(s.holder)}/${s.track}`, (bal.get(`${w(s.holder)}/${s.track}`) ?? 0n) - s.amount);
      if (s.kind === 'transfer') {
        bal.set(`${w(s.from)}/${s.track}`, (bal.get(`${w(s.from)}/${s.track}`) ?? 0n) - s.amount);
        bal.set(`${w(s.to)}/${s.track}`, (bal.get(`${w(s.to)}/${s.track}`) ?? 0n) + s.amount);
      }
    }
    for (const v of bal.values()) expect(v >= 0n).toBe(true); // the plan never overdraws
    const leafCount = [...bal].filter(([k, v]) => v > 0n && ids.has(k.split('/')[0] as string)).length;
    expect(Object.values(exp.leaves).flat()).toHaveLength(leafCount);
    expect(exp.holdings).toHaveLength([...bal.values()].filter((v) => v > 0n).length);
    expect(exp.identities.map((i) => i.wallet).sort()).toEqual([...ids].sort());
    expect(exp.verifications).toBe(2);
  });

  it('recovers identity secrets from the seed: commitment = H(secret)', () => {
    const s = identitySecret(spec.seed, 3);
    expect(Buffer.from(identityCommitment(spec.seed, 3))).toEqual(Buffer.from(fieldToBytes(commitment(s))));
    expect(identitySecret(spec.seed, 3)).toBe(s);
    expect(identitySecret(spec.seed, 4)).not.toBe(s);
  });
});
