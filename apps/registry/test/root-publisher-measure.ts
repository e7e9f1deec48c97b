// Measures the root publisher against the in-process local chain (not a test, never gates CI):
//   node -r @swc-node/register apps/registry/test/root-publisher-measure.ts [slotMs=400]
// Last line: one JSON object. Latency is bound by the chain's slot time (confirmed = 2 slots later).
import { Keypair, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { initializeIx, registerTrackIx } from '@rv/chain';
import { Localnet } from '../../../tools/localnet/src/localnet';
import { PublishRoots } from '../src/root-publisher/publish-roots';
import { SolanaRootChain } from '../src/root-publisher/solana-root-chain';

void (async () => {
  const slotMs = Number(process.argv[2] ?? 400);
  const ln = await Localnet.start({ grpcPort: 0, rpcPort: 0, chain: { slotMs } });
  const a = Keypair.generate();
  ln.chain.airdrop(a.publicKey, 100_000_000_000n);
  const send = (ix: TransactionInstruction) => {
    const tx = new Transaction({
      feePayer: a.publicKey,
      recentBlockhash: ln.chain.latestBlockhash(0).blockhash,
    }).add(ix);
    tx.sign(a);
    ln.chain.submit(tx.serialize());
  };
  send(initializeIx({ payer: a.publicKey, rootAuthority: a.publicKey, verifier: a.publicKey }));
  for (let t = 1; t <= 20; t++)
    send(
      registerTrackIx({
        authority: a.publicKey,
        payer: a.publicKey,
        trackId: t,
        mint: Keypair.generate().publicKey,
        depth: 20,
      }),
    );
  ln.chain.advance(3);
  const chain = new SolanaRootChain({
    rpcUrl: ln.rpcUrl,
    authority: a,
    commitment: 'confirmed',
    rpcTimeoutMs: 5000,
    confirmTimeoutMs: 20000,
    pollMs: 50,
  });
  const lat: number[] = [];
  const pub = new PublishRoots(chain, { onSubmit: (s) => lat.push(s * 1000) });
  const rec = (t: number, seq: number) => ({
    trackId: BigInt(t),
    seq: BigInt(seq),
    root: `0x${(t * 1000 + seq).toString(16).padStart(64, '0')}`,
    leafCount: 1n,
    slot: 1,
    changeSeq: 1n,
  });
  // sequential: one root per batch, one track
  let t0 = Date.now();
  for (let s = 1; s <= 10; s++) await pub.publish([rec(1, s)]);
  const seqMs = (Date.now() - t0) / 10;
  // one batch of 20 tracks x 5 seqs (newest per track sent, 8 tracks at once)
  t0 = Date.now();
  const batch = [];
  for (let s = 1; s <= 5; s++) for (let t = 2; t <= 20; t++) batch.push(rec(t, s));
  await pub.publish(batch);
  const batchMs = Date.now() - t0;
  // replay of that batch: nothing sent
  t0 = Date.now();
  await pub.publish(batch);
  const replayMs = Date.now() - t0;
  lat.sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      bench: 'root-publisher',
      slotMs,
      per_root_sequential_ms: seqMs,
      batch_95_records_19_tracks_ms: batchMs,
      replay_95_records_ms: replayMs,
      submit_p50_ms: lat[Math.floor(lat.length / 2)],
      submit_max_ms: lat[lat.length - 1],
    }),
  );
  await ln.stop();
  process.exit(0);
})();
