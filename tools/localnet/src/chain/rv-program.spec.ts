import { Keypair, Signer, Transaction, TransactionInstruction } from '@solana/web3.js';
import {
  RV_ERROR_CODES,
  configPda,
  decodeEventsFromLogs,
  encodeEvent,
  identityPda,
  initializeIx,
  nullifierPda,
  recordVerificationIx,
  registerIdentityIx,
  registerTrackIx,
  updateRootIx,
} from '@rv/chain';
import { LocalChain, RpcError } from './local-chain';
import { decodeAccount } from './rv-accounts';

const root = (n: number) =>
  Uint8Array.from({ length: 32 }, (_v, i) => (i === 31 ? n & 0xff : i === 30 ? n >> 8 : 0));

describe('rainbow_veil emulation in the local chain', () => {
  let chain: LocalChain;
  let authority: Keypair;
  let verifier: Keypair;
  const mint = Keypair.generate().publicKey;

  const send = (ixs: TransactionInstruction[], signers: Signer[], skipPreflight = false) => {
    const tx = new Transaction({
      feePayer: signers[0]!.publicKey,
      recentBlockhash: chain.latestBlockhash(0).blockhash,
    }).add(...ixs);
    tx.sign(...signers);
    const sig = chain.submit(tx.serialize(), skipPreflight);
    return chain.getTransaction(sig)!;
  };
  const customCode = (f: () => unknown): number | undefined => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      const err = (e.data as { err: { InstructionError?: [number, { Custom: number }] } }).err;
      return err.InstructionError?.[1].Custom;
    }
    return undefined;
  };
  const funded = () => {
    const k = Keypair.generate();
    chain.airdrop(k.publicKey, 10_000_000_000n);
    return k;
  };

  beforeEach(() => {
    chain = new LocalChain({ slotMs: 0 });
    authority = funded();
    verifier = funded();
    send(
      [
        initializeIx({
          payer: authority.publicKey,
          rootAuthority: authority.publicKey,
          verifier: verifier.publicKey,
        }),
      ],
      [authority],
    );
    send(
      [
        registerTrackIx({
          authority: authority.publicKey,
          payer: authority.publicKey,
          trackId: 7n,
          mint,
          depth: 20,
        }),
      ],
      [authority],
    );
  });

  it('initializes the config once and registers a track with the exact TrackRegistered bytes', () => {
    const cfg = decodeAccount('Config', chain.getAccount(configPda()[0].toBase58())!.data)!;
    expect((cfg.root_authority as Keypair['publicKey']).equals(authority.publicKey)).toBe(true);
    const tx = send(
      [
        registerTrackIx({
          authority: authority.publicKey,
          payer: authority.publicKey,
          trackId: 8n,
          mint,
          depth: 32,
        }),
      ],
      [authority],
    );
    const line = tx.logs.find((l) => l.startsWith('Program data: '))!;
    expect(line).toBe(
      `Program data: ${Buffer.from(encodeEvent({ name: 'TrackRegistered', data: { trackId: 8n, mint, depth: 32 } })).toString('base64')}`,
    );
    chain.advance(1); // new blockhash, else it is the very same transaction (AlreadyProcessed)
    expect(
      customCode(() =>
        send(
          [
            initializeIx({
              payer: authority.publicKey,
              rootAuthority: authority.publicKey,
              verifier: verifier.publicKey,
            }),
          ],
          [authority],
        ),
      ),
    ).toBe(0);
  });

  it('checks authority and depth on register_track', () => {
    const intruder = funded();
    expect(
      customCode(() =>
        send(
          [
            registerTrackIx({
              authority: intruder.publicKey,
              payer: intruder.publicKey,
              trackId: 9n,
              mint,
              depth: 20,
            }),
          ],
          [intruder],
        ),
      ),
    ).toBe(RV_ERROR_CODES.Unauthorized);
    const ix = registerTrackIx({
      authority: authority.publicKey,
      payer: authority.publicKey,
      trackId: 9n,
      mint,
      depth: 20,
    });
    ix.data[8 + 8 + 32] = 33; // depth byte, past what the builder allows
    expect(customCode(() => send([ix], [authority]))).toBe(RV_ERROR_CODES.InvalidDepth);
  });

  it('update_root needs the authority and an increasing seq; the ring keeps the last 64 roots', () => {
    const intruder = funded();
    expect(
      customCode(() =>
        send(
          [
            updateRootIx({
              authority: intruder.publicKey,
              trackId: 7n,
              root: root(1),
              leafCount: 1n,
              seq: 1n,
            }),
          ],
          [intruder],
        ),
      ),
    ).toBe(RV_ERROR_CODES.Unauthorized);
    for (let seq = 1; seq <= 65; seq++) {
      send(
        [
          updateRootIx({
            authority: authority.publicKey,
            trackId: 7n,
            root: root(seq),
            leafCount: BigInt(seq),
            seq: BigInt(seq),
          }),
        ],
        [authority],
      );
    }
    expect(
      customCode(() =>
        send(
          [
            updateRootIx({
              authority: authority.publicKey,
              trackId: 7n,
              root: root(99),
              leafCount: 1n,
              seq: 65n,
            }),
          ],
          [authority],
        ),
      ),
    ).toBe(RV_ERROR_CODES.SeqNotIncreasing);

    const verify = (r: Uint8Array, n: number, who = verifier) =>
      send(
        [
          recordVerificationIx({
            verifier: who.publicKey,
            trackId: 7n,
            scope: root(500),
            nullifier: root(1000 + n),
            root: r,
          }),
        ],
        [who],
      );
    expect(customCode(() => verify(root(1), 1))).toBe(RV_ERROR_CODES.UnknownRoot); // pushed out by root 65
    const ok = verify(root(2), 2);
    const { events } = decodeEventsFromLogs(ok.logs);
    expect(events.map((e) => e.event.name)).toEqual(['OwnershipVerified']);
    expect(chain.getAccount(nullifierPda(7n, root(1002))[0].toBase58())).not.toBeNull();
    expect(customCode(() => verify(root(65), 2))).toBe(RV_ERROR_CODES.NullifierUsed);
    expect(customCode(() => verify(root(65), 3, authority))).toBe(RV_ERROR_CODES.Unauthorized);
  });

  it('fails a transaction atomically: earlier instructions are undone, only the fee is charged', () => {
    const wallet = funded();
    const before = chain.bank.balance(wallet.publicKey.toBase58());
    const tx = send(
      [
        registerIdentityIx({ wallet: wallet.publicKey, commitment: root(5) }),
        updateRootIx({ authority: wallet.publicKey, trackId: 7n, root: root(5), leafCount: 1n, seq: 1n }),
      ],
      [wallet],
      true,
    );
    expect(tx.err?.json).toEqual({ InstructionError: [1, { Custom: RV_ERROR_CODES.Unauthorized }] });
    expect(chain.getAccount(identityPda(wallet.publicKey)[0].toBase58())).toBeNull();
    expect(chain.bank.balance(wallet.publicKey.toBase58())).toBe(before - 5000n);
    expect(tx.logs.some((l) => l.startsWith('Program data: '))).toBe(true); // logs stay, as on a real node
  });
});
