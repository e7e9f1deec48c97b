import * as net from 'net';
import { Connection, Keypair, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import bs58 from 'bs58';
import { decodeEventsFromLogs, initializeIx, registerTrackIx, trackPda } from '@rv/chain';
import { Localnet } from '../../../../tools/localnet/src/localnet';
import { ChainFailure, SolanaRootChain } from './solana-root-chain';

// The Solana side of the root publisher against the local chain's JSON-RPC (rainbow_veil semantics).
describe('SolanaRootChain against the local chain', () => {
  let ln: Localnet;
  const authority = Keypair.generate();
  const TRACK = 11n;
  const root = (b: number) => new Uint8Array(32).fill(b);

  const send = (ixs: TransactionInstruction[], signers: Keypair[]) => {
    const tx = new Transaction({
      feePayer: signers[0]!.publicKey,
      recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
    }).add(...ixs);
    tx.sign(...signers);
    return ln.chain.submit(tx.serialize());
  };
  const chainFor = (kp: Keypair, rpcUrl = ln.rpcUrl, rpcTimeoutMs = 2000) =>
    new SolanaRootChain({
      rpcUrl,
      authority: kp,
      commitment: 'confirmed',
      rpcTimeoutMs,
      confirmTimeoutMs: 20_000,
      pollMs: 30,
    });

  beforeAll(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 40, confirmDepth: 1, finalizeDepth: 4 },
    });
    ln.chain.airdrop(authority.publicKey, 10_000_000_000n);
    send(
      [
        initializeIx({
          payer: authority.publicKey,
          rootAuthority: authority.publicKey,
          verifier: Keypair.generate().publicKey,
        }),
      ],
      [authority],
    );
    send(
      [
        registerTrackIx({
          authority: authority.publicKey,
          payer: authority.publicKey,
          trackId: TRACK,
          mint: Keypair.generate().publicKey,
          depth: 20,
        }),
      ],
      [authority],
    );
    ln.chain.advance(3); // config and track confirmed
  });
  afterAll(async () => {
    await ln?.stop();
  });

  it('is ready only when the program names its key as root_authority', async () => {
    await expect(chainFor(authority).checkReady()).resolves.toBeUndefined();
    const other = Keypair.generate();
    await expect(chainFor(other).checkReady()).rejects.toThrow(
      `${other.publicKey.toBase58()} is not the program's root_authority (${authority.publicKey.toBase58()})`,
    );
  });

  it('reads a registered track (no root yet) and null for an unknown one', async () => {
    const chain = chainFor(authority);
    await expect(chain.readTrack(TRACK)).resolves.toEqual({ lastSeq: 0n, latestRoot: undefined });
    await expect(chain.readTrack(999n)).resolves.toBeNull();
  });

  it('lands update_root at confirmed with MerkleRootUpdated in its logs, then answers SeqNotIncreasing for the same seq', async () => {
    const chain = chainFor(authority);
    const res = await chain.submitRoot({ trackId: TRACK, root: root(0xab), leafCount: 42n, seq: 1n });
    if (res.status !== 'landed') throw new Error(`expected landed, got ${res.status}`);
    const conn = new Connection(ln.rpcUrl, 'confirmed');
    const tx = await conn.getTransaction(res.signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    expect(tx?.meta?.err).toBeNull();
    const { events, errors } = decodeEventsFromLogs(tx!.meta!.logMessages!);
    expect(errors).toEqual([]);
    expect(events.map((e) => e.event)).toEqual([
      { name: 'MerkleRootUpdated', data: { trackId: TRACK, root: root(0xab), leafCount: 42n, seq: 1n } },
    ]);
    await expect(chain.readTrack(TRACK)).resolves.toEqual({ lastSeq: 1n, latestRoot: root(0xab) });

    await expect(
      chain.submitRoot({ trackId: TRACK, root: root(0xab), leafCount: 42n, seq: 1n }),
    ).resolves.toEqual({ status: 'seq_not_increasing' });
    await expect(
      chain.submitRoot({ trackId: TRACK, root: root(0xcd), leafCount: 43n, seq: 1n }),
    ).resolves.toEqual({ status: 'seq_not_increasing' });
    await expect(chain.readTrack(TRACK)).resolves.toEqual({ lastSeq: 1n, latestRoot: root(0xab) });
  });

  it('confirms the first transaction when the identical one is sent again (same blockhash, same signature)', async () => {
    const chain = chainFor(authority);
    const queued = () => (ln.chain as unknown as { queue: unknown[] }).queue.length;
    ln.chain.pause();
    let first: Promise<unknown>;
    let second: Promise<unknown>;
    try {
      first = chain.submitRoot({ trackId: TRACK, root: root(0x10), leafCount: 50n, seq: 2n });
      await waitUntil(() => queued() === 1);
      second = chain.submitRoot({ trackId: TRACK, root: root(0x10), leafCount: 50n, seq: 2n });
    } finally {
      ln.chain.resume();
    }
    const [a, b] = (await Promise.all([first, second])) as [{ signature: string }, { signature: string }];
    expect(a).toMatchObject({ status: 'landed' });
    expect(b).toEqual(a);
    await expect(chain.readTrack(TRACK)).resolves.toEqual({ lastSeq: 2n, latestRoot: root(0x10) });
  });

  it('gives up on a transaction that is not confirmed in time, and on one whose blockhash expired (neither lands later)', async () => {
    const queued = () => (ln.chain as unknown as { queue: unknown[] }).queue.length;
    const impatient = new SolanaRootChain({
      rpcUrl: ln.rpcUrl,
      authority,
      commitment: 'confirmed',
      rpcTimeoutMs: 2000,
      confirmTimeoutMs: 300,
      pollMs: 30,
    });
    ln.chain.pause();
    try {
      const slow = impatient.submitRoot({ trackId: TRACK, root: root(0x20), leafCount: 60n, seq: 3n });
      await expect(slow).rejects.toMatchObject({ reason: 'confirm_timeout' });
      expect(queued()).toBe(1);

      const expiring = chainFor(authority).submitRoot({
        trackId: TRACK,
        root: root(0x21),
        leafCount: 61n,
        seq: 3n,
      });
      await waitUntil(() => queued() === 2);
      ln.chain.advance(160); // past the blockhash's last valid block height; the queue does not run while paused
      await expect(expiring).rejects.toMatchObject({ reason: 'blockhash_expired' });
    } finally {
      ln.chain.resume();
    }
    // Both expired in the queue: the chain dropped them, as a validator would.
    expect(queued()).toBe(0);
    await expect(chainFor(authority).readTrack(TRACK)).resolves.toEqual({
      lastSeq: 2n,
      latestRoot: root(0x10),
    });
  });

  it('a retry after a confirm timeout waits for the transaction in flight instead of sending another', async () => {
    const queue = () => (ln.chain as unknown as { queue: { signatures: Uint8Array[] }[] }).queue;
    const impatient = new SolanaRootChain({
      rpcUrl: ln.rpcUrl,
      authority,
      commitment: 'confirmed',
      rpcTimeoutMs: 2000,
      confirmTimeoutMs: 300,
      pollMs: 30,
    });
    const u = { trackId: TRACK, root: root(0x30), leafCount: 70n, seq: 3n };
    ln.chain.pause();
    let retry: Promise<unknown>;
    let first: string;
    try {
      await expect(impatient.submitRoot(u)).rejects.toMatchObject({ reason: 'confirm_timeout' });
      expect(queue()).toHaveLength(1);
      expect(impatient.inflightCount).toBe(1);
      first = bs58.encode(queue()[0]!.signatures[0]!);
      ln.chain.advance(2); // a new blockhash: a second transaction would differ from the first
      retry = impatient.submitRoot(u);
    } finally {
      ln.chain.resume();
    }
    await expect(retry).resolves.toMatchObject({ status: 'landed', signature: first });
    expect(impatient.inflightCount).toBe(0);
    const sigs = await new Connection(ln.rpcUrl, 'confirmed').getSignaturesForAddress(
      trackPda(TRACK)[0],
      undefined,
      'confirmed',
    );
    expect(sigs.filter((s) => s.err !== null)).toEqual([]); // no second, refused transaction
    await expect(chainFor(authority).readTrack(TRACK)).resolves.toEqual({
      lastSeq: 3n,
      latestRoot: root(0x30),
    });
  });

  it('reports a key that is not the root authority as unauthorized (a retried failure, never a skip)', async () => {
    const intruder = Keypair.generate();
    ln.chain.airdrop(intruder.publicKey, 1_000_000_000n);
    const err = await chainFor(intruder)
      .submitRoot({ trackId: TRACK, root: root(1), leafCount: 1n, seq: 99n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainFailure);
    expect(err).toMatchObject({ reason: 'unauthorized' });
    await expect(chainFor(authority).readTrack(TRACK)).resolves.toMatchObject({ lastSeq: 3n });
  });

  it('reports an unreachable RPC without its URL (which may carry an API key)', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/?api-key=TOPSECRETKEY`;
    const err = (await chainFor(authority, url)
      .readTrack(TRACK)
      .catch((e: unknown) => e)) as ChainFailure;
    expect(err).toBeInstanceOf(ChainFailure);
    expect(err.reason).toBe('rpc_unreachable');
    expect(err.message).toBe('getAccountInfo(track): Solana RPC unreachable (ECONNREFUSED)');
    const ready = (await chainFor(authority, url)
      .checkReady()
      .catch((e: unknown) => e)) as Error;
    expect(ready.message).not.toContain('TOPSECRETKEY');
  });

  it('gives up on an RPC that accepts the connection but never answers, after the RPC timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const err = (await chainFor(authority, `http://127.0.0.1:${port}`, 300)
        .readTrack(TRACK)
        .catch((e: unknown) => e)) as ChainFailure;
      expect(err).toMatchObject({ reason: 'rpc_timeout' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('uses the program id it is given (PDAs derive from it)', async () => {
    const elsewhere = new SolanaRootChain({
      rpcUrl: ln.rpcUrl,
      authority,
      commitment: 'confirmed',
      rpcTimeoutMs: 2000,
      confirmTimeoutMs: 5000,
      pollMs: 30,
      programId: new PublicKey(Keypair.generate().publicKey),
    });
    await expect(elsewhere.readTrack(TRACK)).resolves.toBeNull();
  });
});

async function waitUntil(pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
