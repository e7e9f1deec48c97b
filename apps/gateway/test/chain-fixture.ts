import { Keypair, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initializeIx, registerTrackIx, serializeKeypairJson, updateRootIx } from '@rv/chain';
import { fieldToBytes } from '@rv/crypto';
// Test-only: the repository's local chain (tools/localnet), in this process on free ports.
import { Localnet } from '../../../tools/localnet/src/localnet';

/** A local chain with rainbow_veil initialized: a root authority and the gateway's verifier key. */
export class ChainFixture {
  private constructor(
    readonly ln: Localnet,
    readonly authority: Keypair,
    readonly verifier: Keypair,
    readonly verifierFile: string,
  ) {}

  static async start(): Promise<ChainFixture> {
    const ln = await Localnet.start({ host: '127.0.0.1', grpcPort: 0, rpcPort: 0, chain: { slotMs: 50 } });
    const authority = Keypair.generate();
    const verifier = Keypair.generate();
    ln.chain.airdrop(authority.publicKey, 10_000_000_000n);
    ln.chain.airdrop(verifier.publicKey, 10_000_000_000n);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rv-gw-'));
    const verifierFile = path.join(dir, 'verifier.json');
    fs.writeFileSync(verifierFile, serializeKeypairJson(verifier), { mode: 0o600 });
    const f = new ChainFixture(ln, authority, verifier, verifierFile);
    f.submit([
      initializeIx({
        payer: authority.publicKey,
        rootAuthority: authority.publicKey,
        verifier: verifier.publicKey,
      }),
    ]);
    return f;
  }

  get rpcUrl(): string {
    return this.ln.rpcUrl;
  }

  submit(ixs: TransactionInstruction[]): string {
    const tx = new Transaction({ feePayer: this.authority.publicKey, ...this.blockhash() });
    tx.add(...ixs);
    tx.sign(this.authority);
    return this.ln.chain.submit(tx.serialize());
  }

  registerTrack(trackId: bigint, depth: number): void {
    this.submit([
      registerTrackIx({
        authority: this.authority.publicKey,
        payer: this.authority.publicKey,
        trackId,
        mint: new PublicKey(Keypair.generate().publicKey),
        depth,
      }),
    ]);
  }

  updateRoot(trackId: bigint, root: bigint, leafCount: number, seq: number): void {
    this.submit([
      updateRootIx({
        authority: this.authority.publicKey,
        trackId,
        root: fieldToBytes(root),
        leafCount,
        seq,
      }),
    ]);
  }

  private blockhash(): { blockhash: string; lastValidBlockHeight: number } {
    const b = this.ln.chain.latestBlockhash(0);
    return { blockhash: b.blockhash, lastValidBlockHeight: b.lastValidBlockHeight };
  }

  async stop(): Promise<void> {
    await this.ln.stop();
    fs.rmSync(path.dirname(this.verifierFile), { recursive: true, force: true });
  }
}
