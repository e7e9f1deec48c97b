import { CommitmentLevel, SlotStatus } from '@triton-one/yellowstone-grpc';
import { PublicKey } from '@solana/web3.js';
import { IDL, RAINBOW_VEIL_PROGRAM_ID, TOKEN_PROGRAM_ID, decodeTokenAccount, identityPda } from '@rv/chain';
import { Localnet } from '../src/localnet';
import { expectedState, planScenario, type ScenarioSpec } from '../src/scenario/plan';
import { inProcessTarget, runScenario } from '../src/scenario/run';
import { Collector, emptyRequest } from './helpers';

const spec: ScenarioSpec = {
  seed: 'scenario-int-spec',
  tracks: 2,
  holders: 8,
  identityShare: 0.6,
  initialHoldersPerTrack: 4,
  churn: 30,
  churnPerSlot: 6,
  verifications: 3,
};

describe('scenario on the local chain', () => {
  let ln: Localnet;
  let stream: Collector | undefined;
  beforeAll(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 0, confirmDepth: 1, finalizeDepth: 3 },
    });
  });
  afterAll(async () => {
    stream?.close();
    await ln.stop();
  });

  it('ends in the expected state, on chain and as seen by a confirmed stream, despite a killed batch', async () => {
    stream = await Collector.open(ln.grpcEndpoint, {
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      slots: { s: {} },
      accounts: {
        tokens: { account: [], owner: [TOKEN_PROGRAM_ID.toBase58()], filters: [{ datasize: '165' }] },
        rv: { account: [], owner: [RAINBOW_VEIL_PROGRAM_ID.toBase58()], filters: [] },
      },
    });
    const plan = planScenario(spec);
    const killed: string[][] = [];
    const { signatures } = await runScenario(plan, inProcessTarget(ln), {
      killBatches: [4],
      onBatch: (i, sigs) => (i === 4 ? killed.push(sigs) : undefined),
    });
    const exp = expectedState(plan);
    expect(signatures.length).toBe(plan.batches.flat().length);

    // on chain
    const seenHoldings: { wallet: string; mint: string; amount: string }[] = [];
    for (const acc of ln.chain.bank.svm.getProgramAccounts(TOKEN_PROGRAM_ID.toBase58() as never)) {
      const dec = decodeTokenAccount(Uint8Array.from(acc.data));
      if (dec.ok && dec.value.amount > 0n)
        seenHoldings.push({
          wallet: dec.value.owner.toBase58(),
          mint: dec.value.mint.toBase58(),
          amount: dec.value.amount.toString(),
        });
    }
    const byKey = (a: { wallet: string; mint: string }, b: { wallet: string; mint: string }) =>
      a.wallet + a.mint < b.wallet + b.mint ? -1 : 1;
    expect(seenHoldings.sort(byKey)).toEqual([...exp.holdings].sort(byKey));
    for (const id of exp.identities) {
      const st = ln.chain.getAccount(identityPda(new PublicKey(id.wallet))[0].toBase58());
      expect(Buffer.from(st!.data.subarray(40, 72)).toString('hex')).toBe(id.commitment);
    }

    // through the confirmed stream: latest write per account (dead slots skipped) gives the same holdings
    ln.chain.advance(2);
    const head = String(ln.chain.processedSlot - 1);
    await stream.waitFor(
      (u) => u.slot?.slot === String(Number(head) - 1) && u.slot.status === SlotStatus.SLOT_CONFIRMED,
      'stream head',
    );
    const dead = new Set(
      stream.updates.filter((u) => u.slot?.status === SlotStatus.SLOT_DEAD).map((u) => u.slot!.slot),
    );
    expect(dead.size).toBe(1);
    const latest = new Map<string, { wv: bigint; data: Uint8Array; lamports: bigint }>();
    for (const u of stream.updates) {
      const a = u.account?.account;
      if (!a || dead.has(u.account!.slot)) continue;
      const k = new PublicKey(a.pubkey).toBase58();
      const wv = BigInt(a.writeVersion);
      if ((latest.get(k)?.wv ?? -1n) < wv) latest.set(k, { wv, data: a.data, lamports: BigInt(a.lamports) });
    }
    // a dead slot's writes come back as restoring updates in a live slot, so the latest write is the truth
    const streamed: typeof seenHoldings = [];
    const idDisc = IDL.accounts.find((a) => a.name === 'Identity')!.discriminator;
    let identities = 0;
    for (const v of latest.values()) {
      if (v.lamports === 0n) continue;
      const dec = decodeTokenAccount(v.data);
      if (dec.ok && dec.value.amount > 0n)
        streamed.push({
          wallet: dec.value.owner.toBase58(),
          mint: dec.value.mint.toBase58(),
          amount: dec.value.amount.toString(),
        });
      if (idDisc.every((b, i) => v.data[i] === b)) identities++;
    }
    expect(streamed.sort(byKey)).toEqual([...exp.holdings].sort(byKey));
    expect(identities).toBe(exp.identities.length);
    expect(killed[0]!.every((s) => ln.chain.getTransaction(s) !== undefined)).toBe(true); // the retried batch landed
  });
});
