import Client, { SubscribeRequest, SubscribeUpdate } from '@triton-one/yellowstone-grpc';
import { Keypair, Signer, Transaction, TransactionInstruction } from '@solana/web3.js';
import type { Localnet } from '../src/localnet';

export const emptyRequest = (): SubscribeRequest => ({
  accounts: {},
  slots: {},
  transactions: {},
  transactionsStatus: {},
  blocks: {},
  blocksMeta: {},
  entry: {},
  accountsDataSlice: [],
});

/** Collects what the official Yellowstone client receives on one Subscribe stream. */
export class Collector {
  readonly updates: SubscribeUpdate[] = [];
  error: Error | undefined;
  ended = false;
  private constructor(private readonly stream: Awaited<ReturnType<Client['subscribe']>>) {
    stream.on('data', (u: SubscribeUpdate) => {
      if (!u.ping) this.updates.push(u);
    });
    stream.on('error', (e: Error) => (this.error = e));
    stream.on('end', () => (this.ended = true));
    stream.on('close', () => (this.ended = true));
  }

  static async open(endpoint: string, req: SubscribeRequest, sync = true): Promise<Collector> {
    const client = new Client(endpoint, undefined, undefined);
    await client.connect();
    const stream = await client.subscribe();
    const c = new Collector(stream);
    await c.write(req);
    if (sync) await c.synced(req);
    return c;
  }

  private pingId = 1000;

  /** Resolves once the server applied every request written so far (a ping is answered in order). */
  async synced(req: SubscribeRequest): Promise<void> {
    const id = ++this.pingId;
    await this.write({ ...req, ping: { id } });
    await this.waitFor((u) => u.pong?.id === id, `pong ${id}`);
    const i = this.updates.findIndex((u) => u.pong?.id === id);
    this.updates.splice(i, 1);
  }

  write(req: SubscribeRequest): Promise<void> {
    return new Promise((resolve, reject) =>
      this.stream.write(req, (e: Error | null | undefined) => (e ? reject(e) : resolve())),
    );
  }

  async waitFor(pred: (u: SubscribeUpdate) => boolean, what: string, ms = 15_000): Promise<SubscribeUpdate> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.updates.find(pred);
      if (hit) return hit;
      if (this.error) throw new Error(`stream failed while waiting for ${what}: ${this.error.message}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitForError(ms = 15_000): Promise<Error> {
    const deadline = Date.now() + ms;
    while (!this.error) {
      if (Date.now() > deadline) throw new Error('timed out waiting for a stream error');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.error;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** Builds, signs and submits a transaction in-process (preflight on); returns its signature. */
export function send(
  ln: Localnet,
  ixs: TransactionInstruction[],
  signers: Signer[],
  skipPreflight = false,
): string {
  const payer = signers[0] as Signer;
  const tx = new Transaction({
    feePayer: payer.publicKey,
    recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
  }).add(...ixs);
  tx.sign(...signers);
  return ln.chain.submit(tx.serialize(), skipPreflight);
}

export function funded(ln: Localnet, sol = 10): Keypair {
  const k = Keypair.generate();
  ln.chain.airdrop(k.publicKey, BigInt(sol) * 1_000_000_000n);
  return k;
}

export async function until(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stable identity for comparing updates across streams (created_at differs). */
export function updateKey(u: SubscribeUpdate): string {
  if (u.slot) return `slot:${u.slot.slot}:${u.slot.status}`;
  if (u.account)
    return `acct:${Buffer.from(u.account.account?.pubkey ?? []).toString('hex')}:${u.account.account?.writeVersion}`;
  if (u.transaction) return `tx:${Buffer.from(u.transaction.transaction?.signature ?? []).toString('hex')}`;
  if (u.transactionStatus) return `txs:${Buffer.from(u.transactionStatus.signature).toString('hex')}`;
  if (u.pong) return `pong:${u.pong.id}`;
  return 'other';
}
