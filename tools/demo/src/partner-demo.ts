import { randomUUID } from 'crypto';
import { RvApiError, RvClient } from '@rv/client';
import { commitment, fieldToHex, leafHash, nullifier, tokenField } from '@rv/crypto';
import { expectedState, identitySecret, scenarioKeys, type Plan } from '../../localnet/src';

export interface PartnerDemoResult {
  trackId: string;
  leafIndex: number;
  root: string;
  rootSeq: number;
  nullifier: string;
  proveMs: number;
  verificationId: string;
  signature: string | null;
  verifyMs: number;
  replayStatus: number;
  replayCode: string;
}

/**
 * What a partner app does for one listener, through the gateway only: find the listener's leaf in
 * the pages of leaves (without telling the server which one it is), fetch its path at the newest
 * accepted root, have a proof made, submit it for verification, and see the same nullifier refused
 * the second time. The listener's secret comes from the scenario's seed (local demo only).
 */
export async function runPartnerDemo(opts: {
  gatewayUrl: string;
  apiKey: string;
  plan: Plan;
  scope: bigint;
  log: (line: string) => void;
}): Promise<PartnerDemoResult> {
  const { plan, log } = opts;
  const seed = plan.spec.seed;
  const client = new RvClient({ baseUrl: opts.gatewayUrl, apiKey: opts.apiKey, timeoutMs: 60_000 });
  const expected = expectedState(plan);

  // A listener who holds a track token and registered an identity.
  const [trackId, holders] = Object.entries(expected.leaves).find(([, l]) => l.length > 0) ?? [];
  if (!trackId || !holders?.[0])
    throw new Error('the scenario left no listener with a leaf; use more holders');
  const { wallet, mint } = holders[0];
  let holder = -1;
  for (let h = 0; h < plan.spec.holders && holder < 0; h++) {
    if (scenarioKeys.holder(seed, h).publicKey.toBase58() === wallet) holder = h;
  }
  if (holder < 0) throw new Error(`wallet ${wallet} is not a scenario holder`);
  const secret = identitySecret(seed, holder);
  const token = tokenField(mint);
  const myLeaf = fieldToHex(leafHash(commitment(secret), token, BigInt(trackId)));
  log(`listener: holder #${holder} of track ${trackId} (wallet ${wallet.slice(0, 6)}…)`);

  const accepted = await client.acceptedRoot(trackId);
  let index = -1;
  let cursor: string | number | undefined;
  do {
    const page = await client.leaves(trackId, { cursor, limit: 1000, seq: accepted.seq });
    index = page.leaves.find((l) => l.leaf === myLeaf)?.index ?? -1;
    cursor = page.nextCursor ?? undefined;
  } while (index < 0 && cursor !== undefined);
  if (index < 0) throw new Error(`leaf of holder #${holder} not found in track ${trackId}`);
  // At the accepted root (the only kind a verification takes), even if the tree has moved on since.
  const path = await client.path(trackId, index, { seq: accepted.seq });
  if (path.root !== accepted.root) {
    throw new Error(
      `the path is at root seq ${path.seq} (${path.root}), the accepted root is seq ${accepted.seq} (${accepted.root})`,
    );
  }
  log(`path: leaf #${index} at accepted root seq ${accepted.seq} (${accepted.root.slice(0, 10)}…)`);

  const nf = fieldToHex(nullifier(secret, BigInt(trackId), opts.scope));
  const t0 = Date.now();
  const proof = await client.prove({
    root: path.root,
    trackId: fieldToHex(BigInt(trackId)),
    scope: fieldToHex(opts.scope),
    nullifier: nf,
    secret: fieldToHex(secret),
    token: fieldToHex(token),
    leafIndex: index,
    siblings: path.path.siblings,
  });
  const proveMs = Date.now() - t0;
  log(`proof: ${proof.proof.length / 2 - 1} bytes in ${proveMs} ms (prove ${proof.timings.proveMs} ms)`);

  const t1 = Date.now();
  const submitted = await client.verify(
    { proof: proof.proof, publicInputs: proof.publicInputs },
    { idempotencyKey: randomUUID() },
  );
  const done = await client.waitForVerification(submitted.id, { timeoutMs: 60_000, intervalMs: 1000 });
  const verifyMs = Date.now() - t1;
  if (done.status !== 'confirmed')
    throw new Error(`verification ${done.id} ended ${done.status}: ${done.error?.message ?? ''}`);
  log(
    `verified: ${done.id} confirmed on chain in ${verifyMs} ms (tx ${String(done.signature).slice(0, 12)}…)`,
  );

  let replayStatus = 0;
  let replayCode = '';
  try {
    await client.verify(
      { proof: proof.proof, publicInputs: proof.publicInputs },
      { idempotencyKey: randomUUID() },
    );
  } catch (e) {
    if (!(e instanceof RvApiError)) throw e;
    replayStatus = e.status;
    replayCode = e.code;
  }
  log(`replay of the same nullifier: HTTP ${replayStatus} ${replayCode}`);
  return {
    trackId,
    leafIndex: index,
    root: path.root,
    rootSeq: accepted.seq,
    nullifier: nf,
    proveMs,
    verificationId: done.id,
    signature: done.signature,
    verifyMs,
    replayStatus,
    replayCode,
  };
}
