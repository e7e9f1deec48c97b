import { createHash } from 'crypto';
import { homedir } from 'os';
import { join, resolve } from 'path';
import { gunzipSync } from 'zlib';
import { Barretenberg, Crs, RawBuffer } from '@aztec/bb.js';
import { Noir } from '@noir-lang/noir_js';
import { assertCrsAllowed, assertCrsPolicy, crsHasPoints, CrsError, type CrsKind } from './crs';
import { ConstraintError, constraintReason } from './errors';
import { exampleOwnershipWitness } from './fixtures';
import {
  publicInputsFromBytes,
  publicInputsToBytes,
  toNoirInputs,
  validatePublicInputs,
  validateWitnessInputs,
  type OwnershipPublicInputs,
  type OwnershipWitnessInputs,
} from './inputs';
import { artifactDepth, ownershipArtifact, type CircuitArtifact } from './ownership-artifact';

export interface ZkOptions {
  /** CRS folder (bb.js `crsPath`). Default: bb.js's own default, ~/.bb-crs. */
  crsPath?: string;
  /** Accept a non-Ignition CRS (offline tests only). Refused when `production` is true. */
  allowTestCrs?: boolean;
  /** Production mode (refuses allowTestCrs). */
  production?: boolean;
  /**
   * When the CRS folder lacks enough points, let bb.js download Ignition's (network).
   * Off by default, so a missing CRS is an error and tests never touch the network.
   */
  allowCrsDownload?: boolean;
  /** bb.js wasm threads for this instance (default 1). */
  threads?: number;
  /** Run one proof + verification at start (default true): warms the wasm and checks the CRS works. */
  warmUp?: boolean;
  /** Another compiled ownership circuit (e.g. a different depth). */
  artifact?: CircuitArtifact;
  /** bb.js diagnostic lines (never contain witness values). */
  logger?: (msg: string) => void;
}

export interface OwnershipProof {
  /** The UltraHonk (keccak transcript, zero-knowledge) proof, without public inputs. */
  proof: Uint8Array;
  publicInputs: OwnershipPublicInputs;
}

export interface ProveResult extends OwnershipProof {
  witnessMs: number;
  proveMs: number;
}

/**
 * Rows of the UltraHonk circuit that bb.js proves (`acirGetCircuitSizes` with honk recursion on,
 * as its UltraHonk provers build it): `gates` is the finalized trace, `dyadicSize` the power of
 * two it is padded to; proving time follows `dyadicSize`.
 */
export interface CircuitSize {
  gates: number;
  dyadicSize: number;
}

/** bb.js calls on one instance run one at a time. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * The one place that proves and verifies ownership: loads the artifact and the verification key
 * once, owns the CRS policy, generates witnesses with noir_js and proves / verifies with
 * bb.js UltraHonk in its zero-knowledge keccak variant (`keccakZK`).
 */
export class OwnershipProver {
  private readonly serial = new Serial();
  private expectedProofBytes: number | undefined;

  private constructor(
    private readonly api: Barretenberg,
    private readonly noir: Noir,
    private readonly bytecode: Uint8Array,
    private readonly vk: Uint8Array,
    readonly depth: number,
    readonly crsKind: CrsKind,
    readonly threads: number,
    readonly circuitSize: CircuitSize,
  ) {}

  static async create(options: ZkOptions = {}): Promise<OwnershipProver> {
    const artifact = options.artifact ?? ownershipArtifact;
    const crsPath = resolve(options.crsPath ?? join(homedir(), '.bb-crs'));
    const policy = {
      crsPath,
      allowTestCrs: options.allowTestCrs ?? false,
      production: options.production ?? false,
    };
    assertCrsPolicy(policy);
    const logger = options.logger ?? ((): void => undefined);
    const bytecode = new Uint8Array(gunzipSync(Buffer.from(artifact.bytecode, 'base64')));
    const api = await Barretenberg.new({ threads: options.threads ?? 1, crsPath, logger });
    try {
      const [gates, subgroupSize] = await api.acirGetCircuitSizes(bytecode, false, true);
      const points = subgroupSize + 1;
      if (!crsHasPoints(crsPath, points)) {
        if (!options.allowCrsDownload) {
          throw new CrsError(
            `no CRS with ${points} points in ${crsPath}; provision it (production: Ignition's bn254_g1.dat and bn254_g2.dat)` +
              ' or enable the CRS download',
          );
        }
        await Crs.new(points, crsPath, logger); // bb.js downloads Ignition's points
      }
      const crsKind = assertCrsAllowed(policy);
      await api.initSRSForCircuitSize(subgroupSize);
      const vk = await api.acirWriteVkUltraKeccakZkHonk(bytecode);
      const noir = new Noir(artifact);
      await noir.init();
      const prover = new OwnershipProver(
        api,
        noir,
        bytecode,
        vk,
        artifactDepth(artifact),
        crsKind,
        await api.getNumThreads(),
        { gates, dyadicSize: subgroupSize },
      );
      if (options.warmUp ?? true) await prover.selfTest();
      return prover;
    } catch (err) {
      await api.destroy();
      throw err;
    }
  }

  /** The verification key (UltraKeccakZKHonk) that `verify` uses. */
  verificationKey(): Uint8Array {
    return this.vk;
  }

  /** sha256 of the verification key, hex: a short name for "which circuit and CRS". */
  verificationKeyHash(): string {
    return createHash('sha256').update(this.vk).digest('hex');
  }

  /**
   * Solves the circuit for these inputs (noir_js). Throws ZkInputError for malformed inputs and
   * ConstraintError (membership / nullifier / zero_leaf) when a constraint fails.
   */
  async witness(inputs: OwnershipWitnessInputs): Promise<Uint8Array> {
    validateWitnessInputs(inputs, this.depth);
    try {
      return (await this.noir.execute(toNoirInputs(inputs))).witness;
    } catch (err) {
      throw new ConstraintError(constraintReason(err));
    }
  }

  async prove(inputs: OwnershipWitnessInputs): Promise<ProveResult> {
    const t0 = performance.now();
    const witness = await this.witness(inputs);
    const t1 = performance.now();
    const proofWithInputs = await this.serial.run(() =>
      this.api.acirProveUltraKeccakZkHonk(this.bytecode, gunzipSync(witness), new RawBuffer(this.vk)),
    );
    const t2 = performance.now();
    return {
      proof: proofWithInputs.slice(4 * 32),
      publicInputs: publicInputsFromBytes(proofWithInputs.subarray(0, 4 * 32)),
      witnessMs: t1 - t0,
      proveMs: t2 - t1,
    };
  }

  /** True iff `proof` is a valid zero-knowledge ownership proof for these public inputs. */
  async verify(proof: Uint8Array, publicInputs: OwnershipPublicInputs): Promise<boolean> {
    validatePublicInputs(publicInputs);
    if (this.expectedProofBytes !== undefined && proof.length !== this.expectedProofBytes) return false;
    if (proof.length === 0 || proof.length % 32 !== 0) return false;
    const buf = Buffer.concat([publicInputsToBytes(publicInputs), proof]);
    try {
      return await this.serial.run(() => this.api.acirVerifyUltraKeccakZkHonk(buf, new RawBuffer(this.vk)));
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    await this.api.destroy();
  }

  /** One proof and verification over a made-up single-leaf tree; fails if the CRS does not work. */
  private async selfTest(): Promise<void> {
    const inputs = exampleOwnershipWitness({
      secret: 1n,
      token: 1n,
      trackId: 1n,
      scope: 1n,
      depth: this.depth,
    });
    const { proof, publicInputs } = await this.prove(inputs);
    if (!(await this.verify(proof, publicInputs))) {
      throw new CrsError(
        'self-test proof does not verify: the CRS files are inconsistent (bn254_g1.dat vs bn254_g2.dat)',
      );
    }
    this.expectedProofBytes = proof.length;
  }
}
