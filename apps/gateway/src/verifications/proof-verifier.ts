import { OwnershipProver, type OwnershipPublicInputs } from '@rv/zk';
import type { ProverApi } from '../proofs/prover.client';

/** Checks an ownership proof against the circuit's verification key. */
export interface ProofVerifier {
  verify(proof: Uint8Array, publicInputs: OwnershipPublicInputs): Promise<boolean>;
}

/** Verifies in this process with @rv/zk (created on first use: bb.js start-up + CRS check). */
export class LocalZkVerifier implements ProofVerifier {
  private prover?: Promise<OwnershipProver>;

  constructor(private readonly opts: { crsPath?: string; allowTestCrs: boolean; production: boolean }) {}

  async verify(proof: Uint8Array, publicInputs: OwnershipPublicInputs): Promise<boolean> {
    if (!this.prover) {
      this.prover = OwnershipProver.create({
        ...this.opts,
        allowCrsDownload: false,
        warmUp: false,
        threads: 1,
      });
      this.prover.catch(() => (this.prover = undefined));
    }
    return (await this.prover).verify(proof, publicInputs);
  }

  async close(): Promise<void> {
    const p = this.prover;
    this.prover = undefined;
    if (p) await (await p.catch(() => undefined))?.destroy();
  }
}

/** Asks apps/prover (POST /v1/verify). */
export class ProverHttpVerifier implements ProofVerifier {
  constructor(private readonly prover: ProverApi) {}

  verify(proof: Uint8Array, p: OwnershipPublicInputs): Promise<boolean> {
    const hex = (x: bigint) => '0x' + x.toString(16).padStart(64, '0');
    return this.prover.verify('0x' + Buffer.from(proof).toString('hex'), {
      root: hex(p.root),
      trackId: hex(p.trackId),
      scope: hex(p.scope),
      nullifier: hex(p.nullifier),
    });
  }
}
