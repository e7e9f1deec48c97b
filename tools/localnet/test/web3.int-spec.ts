import { CommitmentLevel } from '@triton-one/yellowstone-grpc';
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { decodeEventsFromLogs, identityPda, RAINBOW_VEIL_PROGRAM_ID, registerIdentityIx } from '@rv/chain';
import { Localnet } from '../src/localnet';
import { Collector, emptyRequest } from './helpers';

// Ticking clock (40 ms slots): @solana/web3.js confirms through its pubsub WebSocket and slot progress.
describe('localnet with an unchanged @solana/web3.js Connection', () => {
  let ln: Localnet;
  let stream: Collector | undefined;
  let conn: Connection | undefined;
  beforeAll(async () => {
    ln = await Localnet.start({
      grpcPort: 0,
      rpcPort: 0,
      chain: { slotMs: 40, confirmDepth: 1, finalizeDepth: 4 },
    });
  });
  afterAll(async () => {
    stream?.close();
    // web3.js keeps reconnecting its pubsub socket; it has no public close
    (conn as unknown as { _rpcWebSocket?: { close(): void } } | undefined)?._rpcWebSocket?.close();
    await ln.stop();
  });

  it('register_identity sent by web3.js arrives on the gRPC stream as IdentityRegistered, decoded by @rv/chain', async () => {
    stream = await Collector.open(ln.grpcEndpoint, {
      ...emptyRequest(),
      commitment: CommitmentLevel.CONFIRMED,
      transactions: {
        rv: { accountInclude: [RAINBOW_VEIL_PROGRAM_ID.toBase58()], accountExclude: [], accountRequired: [] },
      },
      accounts: { identities: { account: [], owner: [RAINBOW_VEIL_PROGRAM_ID.toBase58()], filters: [] } },
    });
    conn = new Connection(ln.rpcUrl, { commitment: 'confirmed', wsEndpoint: ln.wsUrl });
    const wallet = Keypair.generate();
    const airdrop = await conn.requestAirdrop(wallet.publicKey, LAMPORTS_PER_SOL);
    await conn.confirmTransaction({ signature: airdrop, ...(await conn.getLatestBlockhash()) }, 'confirmed');
    expect(await conn.getBalance(wallet.publicKey)).toBe(LAMPORTS_PER_SOL);

    const commitment = Uint8Array.from({ length: 32 }, (_v, i) => i + 1);
    const sig = await sendAndConfirmTransaction(
      conn,
      new Transaction().add(registerIdentityIx({ wallet: wallet.publicKey, commitment })),
      [wallet],
      { commitment: 'confirmed' },
    );

    const update = await stream.waitFor(
      (u) => u.transaction !== undefined && bs58.encode(u.transaction.transaction!.signature) === sig,
      'register_identity transaction',
    );
    expect(update.filters).toEqual(['rv']);
    const { events, errors } = decodeEventsFromLogs(update.transaction!.transaction!.meta!.logMessages);
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
    const ev = events[0]!.event;
    expect(ev.name).toBe('IdentityRegistered');
    if (ev.name !== 'IdentityRegistered') throw new Error('unreachable');
    expect(ev.data.wallet.equals(wallet.publicKey)).toBe(true);
    expect(Buffer.from(ev.data.commitment)).toEqual(Buffer.from(commitment));

    // the identity PDA, through the stream and through getAccountInfo
    const [pda] = identityPda(wallet.publicKey);
    const acct = await stream.waitFor(
      (u) => u.account !== undefined && new PublicKey(u.account.account!.pubkey).equals(pda),
      'identity account update',
    );
    const info = await conn.getAccountInfo(pda);
    expect(info?.owner.equals(RAINBOW_VEIL_PROGRAM_ID)).toBe(true);
    expect(Buffer.from(acct.account!.account!.data)).toEqual(info?.data);
    expect(Buffer.from(info!.data.subarray(8 + 32, 8 + 64))).toEqual(Buffer.from(commitment));

    const tx = await conn.getTransaction(sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    expect(tx?.meta?.err).toBeNull();
    expect(tx?.meta?.logMessages).toEqual(update.transaction!.transaction!.meta!.logMessages);
    const sigs = await conn.getSignaturesForAddress(wallet.publicKey, undefined, 'confirmed');
    expect(sigs.map((s) => s.signature)).toEqual([sig, airdrop]);

    // getProgramAccounts with a memcmp filter finds the identity PDA by wallet (offset 8)
    const found = await conn.getProgramAccounts(RAINBOW_VEIL_PROGRAM_ID, {
      filters: [{ memcmp: { offset: 8, bytes: wallet.publicKey.toBase58() } }],
    });
    expect(found.map((f) => f.pubkey.toBase58())).toEqual([pda.toBase58()]);

    // raw JSON-RPC: sendTransaction with the default base58 encoding, getTransaction as base64
    const other = Keypair.generate();
    const { blockhash } = await conn.getLatestBlockhash('processed');
    const t2 = new Transaction({ feePayer: wallet.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({
        fromPubkey: wallet.publicKey,
        toPubkey: other.publicKey,
        lamports: 1_000_000,
      }),
    );
    t2.sign(wallet);
    const rpc = async (method: string, params: unknown[]) =>
      (await (
        await fetch(ln.rpcUrl, {
          method: 'POST',
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
      ).json()) as {
        result: any;
      };
    const sent = await rpc('sendTransaction', [bs58.encode(t2.serialize())]);
    expect(sent.result).toBe(bs58.encode(t2.signature!));
    await conn.confirmTransaction(
      { signature: sent.result, blockhash, lastValidBlockHeight: 1e9 },
      'confirmed',
    );
    const asB64 = await rpc('getTransaction', [sent.result, { encoding: 'base64', commitment: 'confirmed' }]);
    expect(asB64.result.transaction).toEqual([t2.serialize().toString('base64'), 'base64']);
    expect(await conn.getBalance(other.publicKey)).toBe(1_000_000);

    // registering twice fails preflight with the program's error, as web3.js reports it
    const again = sendAndConfirmTransaction(
      conn,
      new Transaction().add(registerIdentityIx({ wallet: wallet.publicKey, commitment })),
      [wallet],
      { commitment: 'confirmed' },
    );
    await expect(again).rejects.toThrow(SendTransactionError);
    await expect(again).rejects.toThrow(/custom program error: 0x1775|Custom":6005/);
  });
});
