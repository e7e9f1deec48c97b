import { Connection, Keypair, Signer, Transaction, TransactionInstruction } from '@solana/web3.js';
import {
  TOKEN_ACCOUNT_LEN,
  initializeIx,
  recordVerificationIx,
  registerIdentityIx,
  registerTrackIx,
  updateRootIx,
} from '@rv/chain';
import { fieldToBytes, nullifier } from '@rv/crypto';
import type { Localnet } from '../localnet';
import {
  MINT_LEN,
  burnIx,
  createAccountIx,
  initializeAccountIx,
  initializeMintIx,
  mintToIx,
  transferIx,
} from '../chain/spl-token';
import { identityCommitment, identitySecret, scenarioKeys, trackIdOf } from './keys';
import type { Plan, Step } from './plan';

/** Where a scenario runs: in-process (tests) or a running localnet over JSON-RPC. */
export interface ScenarioTarget {
  /** Sends one transaction (preflight on) and returns its signature; throws if it is rejected. */
  send(ixs: TransactionInstruction[], signers: Signer[]): Promise<string>;
  /** Waits until the slot the last transactions landed in is closed (the next batch lands in a new slot). */
  nextSlot(): Promise<void>;
  rentExempt(len: number): Promise<bigint>;
  airdrop(to: Keypair, lamports: bigint): Promise<void>;
  /** Admin JSON-RPC (rv_*) call. */
  admin(method: string, params?: unknown[]): Promise<unknown>;
  /** Whether these signatures are still known (false once their slot died and was rolled back). */
  known(signatures: string[]): Promise<boolean[]>;
}

export interface RunOptions {
  /** Batch indexes after which every gRPC stream is dropped (rv_dropStreams). */
  dropStreamsAfter?: number[];
  /**
   * Batch indexes whose slot is killed after it was confirmed: the batch is sent, its slot dies
   * (rolled back), then the batch is sent again with fresh transactions, as a client would retry.
   * The expected final state is unchanged.
   */
  killBatches?: number[];
  onBatch?: (index: number, signatures: string[]) => void;
}

export function stepInstructions(
  plan: Plan,
  step: Step,
  rent: { mint: bigint; account: bigint },
): { ixs: TransactionInstruction[]; signers: Signer[] } {
  const seed = plan.spec.seed;
  const authority = scenarioKeys.authority(seed);
  const verifier = scenarioKeys.verifier(seed);
  const holder = (h: number) => scenarioKeys.holder(seed, h);
  const account = (h: number, t: number) => scenarioKeys.tokenAccount(seed, h, t);
  const mint = (t: number) => scenarioKeys.mint(seed, t);
  switch (step.kind) {
    case 'initialize':
      return {
        ixs: [
          initializeIx({
            payer: authority.publicKey,
            rootAuthority: authority.publicKey,
            verifier: verifier.publicKey,
          }),
        ],
        signers: [authority],
      };
    case 'register_track': {
      const m = mint(step.track);
      return {
        ixs: [
          createAccountIx(authority.publicKey, m.publicKey, rent.mint, MINT_LEN),
          initializeMintIx(m.publicKey, 0, authority.publicKey),
          registerTrackIx({
            authority: authority.publicKey,
            payer: authority.publicKey,
            trackId: trackIdOf(step.track),
            mint: m.publicKey,
            depth: 20,
          }),
        ],
        signers: [authority, m],
      };
    }
    case 'register_identity': {
      const w = holder(step.holder);
      return {
        ixs: [registerIdentityIx({ wallet: w.publicKey, commitment: identityCommitment(seed, step.holder) })],
        signers: [w],
      };
    }
    case 'open_account': {
      const a = account(step.holder, step.track);
      return {
        ixs: [
          createAccountIx(authority.publicKey, a.publicKey, rent.account, TOKEN_ACCOUNT_LEN),
          initializeAccountIx(a.publicKey, mint(step.track).publicKey, holder(step.holder).publicKey),
        ],
        signers: [authority, a],
      };
    }
    case 'mint':
      return {
        ixs: [
          mintToIx(
            mint(step.track).publicKey,
            account(step.holder, step.track).publicKey,
            authority.publicKey,
            step.amount,
          ),
        ],
        signers: [authority],
      };
    case 'transfer': {
      const from = holder(step.from);
      return {
        ixs: [
          transferIx(
            account(step.from, step.track).publicKey,
            account(step.to, step.track).publicKey,
            from.publicKey,
            step.amount,
          ),
        ],
        signers: [from],
      };
    }
    case 'burn': {
      const w = holder(step.holder);
      return {
        ixs: [
          burnIx(
            account(step.holder, step.track).publicKey,
            mint(step.track).publicKey,
            w.publicKey,
            step.amount,
          ),
        ],
        signers: [w],
      };
    }
    case 'publish_root':
      return {
        ixs: [
          updateRootIx({
            authority: authority.publicKey,
            trackId: trackIdOf(step.track),
            root: step.root,
            leafCount: 0n,
            seq: step.seq,
          }),
        ],
        signers: [authority],
      };
    case 'verify': {
      const trackId = trackIdOf(step.track);
      const n = fieldToBytes(nullifier(identitySecret(seed, step.holder), trackId, step.scope));
      return {
        ixs: [
          recordVerificationIx({
            verifier: verifier.publicKey,
            trackId,
            scope: fieldToBytes(step.scope),
            nullifier: n,
            root: step.root,
          }),
        ],
        signers: [verifier],
      };
    }
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

async function until(pred: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`scenario: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a plan: one batch per slot; optional stream drops and killed (then retried) batches. */
export async function runScenario(
  plan: Plan,
  target: ScenarioTarget,
  opts: RunOptions = {},
): Promise<{ signatures: string[] }> {
  const seed = plan.spec.seed;
  const rent = {
    mint: await target.rentExempt(MINT_LEN),
    account: await target.rentExempt(TOKEN_ACCOUNT_LEN),
  };
  const fund = [scenarioKeys.authority(seed), scenarioKeys.verifier(seed)];
  for (let h = 0; h < plan.spec.holders; h++) fund.push(scenarioKeys.holder(seed, h));
  for (const k of fund) await target.airdrop(k, 100_000_000_000n);
  await target.nextSlot();

  const all: string[] = [];
  const sendBatch = async (batch: Step[]) => {
    const sigs: string[] = [];
    for (const step of batch) {
      const { ixs, signers } = stepInstructions(plan, step, rent);
      sigs.push(await target.send(ixs, signers));
    }
    return sigs;
  };
  for (let i = 0; i < plan.batches.length; i++) {
    const batch = plan.batches[i] as Step[];
    let sigs = await sendBatch(batch);
    if (opts.killBatches?.includes(i)) {
      await target.admin('rv_killSlot', []);
      await until(async () => (await target.known(sigs)).every((k) => !k), `batch ${i} to be rolled back`);
      sigs = await sendBatch(batch); // fresh blockhash, fresh signatures
    }
    all.push(...sigs);
    opts.onBatch?.(i, sigs);
    await target.nextSlot();
    if (opts.dropStreamsAfter?.includes(i)) await target.admin('rv_dropStreams', []);
  }
  return { signatures: all };
}

/** Runs against an in-process Localnet whose clock is manual (slotMs 0) or ticking. */
export function inProcessTarget(ln: Localnet): ScenarioTarget {
  const chain = ln.chain;
  return {
    async send(ixs, signers) {
      const tx = new Transaction({
        feePayer: signers[0]!.publicKey,
        recentBlockhash: chain.latestBlockhash(0).blockhash,
      }).add(...ixs);
      tx.sign(...signers);
      return chain.submit(tx.serialize(), false);
    },
    async nextSlot() {
      if (chain.opts.slotMs <= 0) {
        chain.advance(1);
        return;
      }
      const s = chain.processedSlot;
      await until(async () => chain.processedSlot > s, 'next slot');
    },
    async rentExempt(len) {
      return chain.bank.rentExempt(len);
    },
    async airdrop(to, lamports) {
      chain.airdrop(to.publicKey, lamports);
    },
    async admin(method, params = []) {
      const r = ln.rpc.call(method, params);
      if (method === 'rv_killSlot' && chain.opts.slotMs <= 0) chain.advance(chain.opts.confirmDepth + 1);
      return r;
    },
    async known(signatures) {
      return signatures.map((s) => chain.getTransaction(s) !== undefined);
    },
  };
}

/** Runs against a localnet over JSON-RPC (e.g. `npm run localnet`); uses an unchanged web3.js Connection. */
export function rpcTarget(rpcUrl: string): ScenarioTarget {
  const conn = new Connection(rpcUrl, 'processed');
  const call = async (method: string, params: unknown[] = []) => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };
  const statuses = async (sigs: string[]) => (await conn.getSignatureStatuses(sigs)).value;
  return {
    async send(ixs, signers) {
      const { blockhash } = await conn.getLatestBlockhash('processed');
      const tx = new Transaction({ feePayer: signers[0]!.publicKey, recentBlockhash: blockhash }).add(...ixs);
      tx.sign(...signers);
      return conn.sendRawTransaction(tx.serialize(), { preflightCommitment: 'processed' });
    },
    async nextSlot() {
      const s = await conn.getSlot('processed');
      await until(async () => (await conn.getSlot('processed')) > s, 'next slot');
    },
    async rentExempt(len) {
      return BigInt(await conn.getMinimumBalanceForRentExemption(len));
    },
    async airdrop(to, lamports) {
      const sig = await conn.requestAirdrop(to.publicKey, Number(lamports));
      await until(async () => (await statuses([sig]))[0] != null, 'airdrop');
    },
    admin: call,
    async known(signatures) {
      return (await statuses(signatures)).map((s) => s != null);
    },
  };
}
