import { Keypair, Transaction } from '@solana/web3.js';
import { TOKEN_ACCOUNT_LEN } from '@rv/chain';
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

async function waitSigs(url: string, sigs: string[]): Promise<void> {
  for (;;) {
    const r = await call(url, 'getSignatureStatuses', [sigs]);
    if ((r.value as unknown[]).every((v) => v !== null)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
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
  const TXS = txs;
  const OWNERS = ownerCount;
  const blockhash = async () =>
    (await call(url, 'getLatestBlockhash', [{ commitment: 'processed' }])).value.blockhash as string;
  const payer = Keypair.generate();
  await waitSigs(url, [await call(url, 'requestAirdrop', [payer.publicKey.toBase58(), 1e15])]);
  const owners = Array.from({ length: OWNERS }, () => Keypair.generate());
  const mint = Keypair.generate();
  const accounts = owners.map(() => Keypair.generate());
  const sign = (tx: Transaction, ...signers: Keypair[]) => signFast(tx, ...signers).toString('base64');
  const send = async (raws: string[]) => {
    const r = await rpcCall(
      url,
      raws.map((raw, id) => ({
        jsonrpc: '2.0',
        id,
        method: 'sendTransaction',
        params: [raw, { encoding: 'base64', skipPreflight: true }],
      })),
    );
    return (r as { result: string }[]).map((x) => x.result);
  };
  let bh = await blockhash();
  const setup: string[] = [];
  setup.push(
    sign(
      new Transaction({ feePayer: payer.publicKey, recentBlockhash: bh }).add(
        createAccountIx(
          payer.publicKey,
          mint.publicKey,
          BigInt(await call(url, 'getMinimumBalanceForRentExemption', [MINT_LEN])),
          MINT_LEN,
        ),
        initializeMintIx(mint.publicKey, 0, payer.publicKey),
      ),
      payer,
      mint,
    ),
  );
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
  await waitSigs(url, await send(setup));
  for (const o of owners)
    await waitSigs(url, [await call(url, 'requestAirdrop', [o.publicKey.toBase58(), 1e12])]);

  const firstSlot = (await call(url, 'getSlot', [{ commitment: 'processed' }])) as number;
  const t0 = Date.now();
  const BATCH = 200;
  let last: string[] = [];
  for (let i = 0; i < TXS; i += BATCH) {
    bh = await blockhash();
    const raws: string[] = [];
    for (let j = i; j < Math.min(TXS, i + BATCH); j++) {
      const from = j % OWNERS;
      const to = (j * 7 + 3) % OWNERS === from ? (from + 1) % OWNERS : (j * 7 + 3) % OWNERS;
      raws.push(
        sign(
          new Transaction({ feePayer: owners[from]!.publicKey, recentBlockhash: bh }).add(
            transferIx(
              accounts[from]!.publicKey,
              accounts[to]!.publicKey,
              owners[from]!.publicKey,
              BigInt(1 + j),
            ),
          ),
          owners[from]!,
        ),
      );
    }
    last = await send(raws);
  }
  await waitSigs(url, last.slice(-1));
  const ingestTxPerS = Math.round((TXS / (Date.now() - t0)) * 1000);
  // let the last slots close so the backlog is complete at processed
  const lastSlot = ((await call(url, 'getSlot', [{ commitment: 'processed' }])) as number) + 1;
  for (;;) {
    if (((await call(url, 'getSlot', [{ commitment: 'processed' }])) as number) > lastSlot) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { firstSlot, lastSlot, ingestTxPerS };
}
