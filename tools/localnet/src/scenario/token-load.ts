import { Keypair, Transaction } from '@solana/web3.js';
import { TOKEN_ACCOUNT_LEN, initializeIx, registerIdentityIx, registerTrackIx } from '@rv/chain';
import { signFast } from '../chain/fast-sign';
import {
  MINT_LEN,
  createAccountIx,
  initializeAccountIx,
  initializeMintIx,
  mintToIx,
  transferIx,
} from '../chain/spl-token';

async function rpcCall(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}
const call = async (url: string, method: string, params: unknown[] = []) => {
  const r = await rpcCall(url, { jsonrpc: '2.0', id: 1, method, params });
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
};

const blockhash = async (url: string) =>
  (await call(url, 'getLatestBlockhash', [{ commitment: 'processed' }])).value.blockhash as string;
const sign = (tx: Transaction, ...signers: Keypair[]) => signFast(tx, ...signers).toString('base64');

async function waitSigs(url: string, sigs: string[]): Promise<void> {
  for (;;) {
    const r = await call(url, 'getSignatureStatuses', [sigs]);
    if ((r.value as unknown[]).every((v) => v !== null)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

export interface TokenLoadOptions {
  /** Token accounts (one owner each) the transfers move between (default 16). */
  owners?: number;
  /**
   * Registers the mint as this rainbow_veil track (initializing the program with a fresh authority
   * first, so the chain must not be initialized yet): an indexer then streams its token accounts.
   */
  trackId?: bigint;
  /** Registers a rainbow_veil identity for every owner (an indexer then derives leaves for them). */
  identities?: boolean;
}

/**
 * A load generator for a running localnet (JSON-RPC `url`): one mint, `owners` funded token
 * accounts, and signed SPL token transfers between them sent in JSON-RPC batches (skipPreflight,
 * native ed25519 signing). `transfers(n, perTx)` sends n transactions of perTx transfers each, all
 * from one owner to perTx others (one signature; the source account is written once per
 * transaction, so a transaction writes perTx + 1 token accounts).
 */
export class TokenLoad {
  private seq = 0;

  private constructor(
    readonly url: string,
    readonly mint: Keypair,
    readonly owners: Keypair[],
    readonly accounts: Keypair[],
  ) {}

  static async setup(url: string, opts: TokenLoadOptions = {}): Promise<TokenLoad> {
    const OWNERS = opts.owners ?? 16;
    const payer = Keypair.generate();
    await waitSigs(url, [await call(url, 'requestAirdrop', [payer.publicKey.toBase58(), 1e15])]);
    const owners = Array.from({ length: OWNERS }, () => Keypair.generate());
    const mint = Keypair.generate();
    const accounts = owners.map(() => Keypair.generate());
    const load = new TokenLoad(url, mint, owners, accounts);
    let bh = await blockhash(url);
    const setup: string[] = [];
    const mintTx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
      createAccountIx(
        payer.publicKey,
        mint.publicKey,
        BigInt(await call(url, 'getMinimumBalanceForRentExemption', [MINT_LEN])),
        MINT_LEN,
      ),
      initializeMintIx(mint.publicKey, 0, payer.publicKey),
    );
    if (opts.trackId !== undefined) {
      // The program first (its config names the authority), then the mint and its track in one transaction.
      await waitSigs(url, [
        await call(url, 'sendTransaction', [
          sign(
            new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
              initializeIx({
                payer: payer.publicKey,
                rootAuthority: payer.publicKey,
                verifier: payer.publicKey,
              }),
            ),
            payer,
          ),
          { encoding: 'base64' },
        ]),
      ]);
      mintTx.add(
        registerTrackIx({
          authority: payer.publicKey,
          payer: payer.publicKey,
          trackId: opts.trackId,
          mint: mint.publicKey,
          depth: 20,
        }),
      );
    }
    setup.push(sign(mintTx, payer, mint));
    const rentAcc = BigInt(await call(url, 'getMinimumBalanceForRentExemption', [TOKEN_ACCOUNT_LEN]));
    for (let i = 0; i < OWNERS; i++) {
      setup.push(
        sign(
          new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
            createAccountIx(payer.publicKey, accounts[i]!.publicKey, rentAcc, TOKEN_ACCOUNT_LEN),
            initializeAccountIx(accounts[i]!.publicKey, mint.publicKey, owners[i]!.publicKey),
            mintToIx(mint.publicKey, accounts[i]!.publicKey, payer.publicKey, 1_000_000_000n),
          ),
          payer,
          accounts[i]!,
        ),
      );
    }
    await waitSigs(url, await load.sendRaw(setup));
    for (const o of owners)
      await waitSigs(url, [await call(url, 'requestAirdrop', [o.publicKey.toBase58(), 1e12])]);
    if (opts.identities) {
      bh = await blockhash(url);
      await waitSigs(
        url,
        await load.sendRaw(
          owners.map((o, i) =>
            sign(
              new Transaction({ feePayer: o.publicKey, recentBlockhash: bh }).add(
                registerIdentityIx({
                  wallet: o.publicKey,
                  commitment: commitmentOf(mint.publicKey.toBytes(), i),
                }),
              ),
              o,
            ),
          ),
        ),
      );
    }
    return load;
  }

  /** Signs `txs` transactions of `perTx` transfers each (see the class comment); not sent. */
  async sign(txs: number, perTx = 1): Promise<string[]> {
    const OWNERS = this.owners.length;
    if (perTx < 1 || perTx >= OWNERS) throw new RangeError(`perTx must be in 1..${OWNERS - 1}`);
    const bh = await blockhash(this.url);
    const raws: string[] = [];
    for (let n = 0; n < txs; n++) {
      const j = this.seq++;
      const from = j % OWNERS;
      const tx = new Transaction({ feePayer: this.owners[from]!.publicKey, recentBlockhash: bh });
      for (let k = 0; k < perTx; k++) {
        const to =
          perTx === 1
            ? (j * 7 + 3) % OWNERS === from
              ? (from + 1) % OWNERS
              : (j * 7 + 3) % OWNERS
            : (from + 1 + ((j + k * 5) % (OWNERS - 1))) % OWNERS;
        tx.add(
          transferIx(
            this.accounts[from]!.publicKey,
            this.accounts[to === from ? (from + 1) % OWNERS : to]!.publicKey,
            this.owners[from]!.publicKey,
            BigInt(1 + j + k),
          ),
        );
      }
      raws.push(sign(tx, this.owners[from]!));
    }
    return raws;
  }

  /** Sends signed transactions in one JSON-RPC batch (skipPreflight); returns their signatures. */
  async sendRaw(raws: string[]): Promise<string[]> {
    const r = await rpcCall(
      this.url,
      raws.map((raw, id) => ({
        jsonrpc: '2.0',
        id,
        method: 'sendTransaction',
        params: [raw, { encoding: 'base64', skipPreflight: true }],
      })),
    );
    return (r as { result: string }[]).map((x) => x.result);
  }

  /** Signs and sends `txs` transactions of `perTx` transfers, in JSON-RPC batches of 200; returns the signatures. */
  async transfers(txs: number, perTx = 1): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < txs; i += 200)
      out.push(...(await this.sendRaw(await this.sign(Math.min(200, txs - i), perTx))));
    return out;
  }

  /** Waits until every signature landed. */
  async landed(sigs: string[]): Promise<void> {
    for (let i = 0; i < sigs.length; i += 256) await waitSigs(this.url, sigs.slice(i, i + 256));
  }

  /** The current slot at processed. */
  async slot(): Promise<number> {
    return (await call(this.url, 'getSlot', [{ commitment: 'processed' }])) as number;
  }

  /** Waits until the open slot is closed (everything sent so far is in a processed slot); returns that slot. */
  async closeSlot(): Promise<number> {
    const lastSlot = (await this.slot()) + 1;
    while ((await this.slot()) <= lastSlot) await new Promise((r) => setTimeout(r, 20));
    return lastSlot;
  }
}

/** A field-sized pseudo commitment, distinct per (mint, owner index). */
function commitmentOf(mint: Uint8Array, i: number): Uint8Array {
  const c = new Uint8Array(32);
  c.set(mint.subarray(0, 28), 1);
  new DataView(c.buffer).setUint32(28, i);
  return c;
}

/**
 * Fills a running localnet (JSON-RPC `url`) with `txs` SPL token transfers between `owners`
 * accounts (each: 1 transaction + 3 account updates at every commitment), in JSON-RPC batches.
 * Returns the slot range holding them (closed at processed) and the ingest rate. For benchmarks:
 * subscribe with from_slot = firstSlot to stream the backlog as fast as a consumer can read.
 */
export async function fillWithTransfers(
  url: string,
  txs: number,
  ownerCount = 16,
): Promise<{ firstSlot: number; lastSlot: number; ingestTxPerS: number }> {
  const load = await TokenLoad.setup(url, { owners: ownerCount });
  const firstSlot = await load.slot();
  const t0 = Date.now();
  const sigs = await load.transfers(txs);
  await waitSigs(url, sigs.slice(-1));
  const ingestTxPerS = Math.round((txs / (Date.now() - t0)) * 1000);
  // let the last slots close so the backlog is complete at processed
  const lastSlot = await load.closeSlot();
  return { firstSlot, lastSlot, ingestTxPerS };
}
