// Real bb.js 1.2.1 UltraHonk (keccakZK) prover and verifier, offline, with the test CRS.
import { UltraHonkBackend } from '@aztec/bb.js';
import { nullifier } from '@rv/crypto';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { ConstraintError, ZkInputError } from './errors';
import { exampleOwnershipWitness, merklePath } from './fixtures';
import type { OwnershipWitnessInputs } from './inputs';
import { OwnershipProver } from './ownership-prover';
import { ownershipArtifact } from './ownership-artifact';
import { commitment, leafHash } from '@rv/crypto';

const crsPath = ensureTestCrs();
const base = {
  secret: 0xabcdef0123456789n,
  token: 0x77n,
  trackId: 42n,
  scope: 202611n,
  depth: 20,
  index: 5,
  leafCount: 9,
};

describe('OwnershipProver (bb.js UltraHonk keccakZK, test CRS)', () => {
  let prover: OwnershipProver;
  let valid: OwnershipWitnessInputs;
  let proof: Uint8Array;

  beforeAll(async () => {
    prover = await OwnershipProver.create({ crsPath, allowTestCrs: true });
    valid = exampleOwnershipWitness(base);
    proof = (await prover.prove(valid)).proof;
  }, 120_000);
  afterAll(async () => prover?.destroy());

  it('proves and verifies a holder of a leaf; the proof carries the public inputs in circuit order', async () => {
    const result = await prover.prove(valid);
    expect(result.publicInputs).toEqual({
      root: valid.root,
      trackId: valid.trackId,
      scope: valid.scope,
      nullifier: valid.nullifier,
    });
    expect(await prover.verify(result.proof, result.publicInputs)).toBe(true);
    expect(await prover.verify(proof, result.publicInputs)).toBe(true);
  }, 60_000);

  it('reports the size bb.js proves: 5,447 gates padded to 8,192 rows (circuits/README.md, "Size")', () => {
    expect(prover.circuitSize).toEqual({ gates: 5447, dyadicSize: 8192 });
  });

  it('is zero-knowledge (masked): two proofs of the same witness differ and both verify', async () => {
    const again = (await prover.prove(valid)).proof;
    expect(Buffer.from(again).equals(Buffer.from(proof))).toBe(false);
    expect(await prover.verify(again, valid)).toBe(true);
  }, 60_000);

  it.each(['root', 'trackId', 'scope', 'nullifier'] as const)(
    'rejects the proof with a tampered %s',
    async (key) => {
      expect(await prover.verify(proof, { ...valid, [key]: valid[key] + 1n })).toBe(false);
    },
  );

  it('rejects tampered proof bytes (any position) and truncated or padded proofs', async () => {
    for (const offset of [0, 100, Math.floor(proof.length / 2), proof.length - 1]) {
      const bad = Uint8Array.from(proof);
      bad[offset] = bad[offset]! ^ 0x01;
      expect(await prover.verify(bad, valid)).toBe(false);
    }
    expect(await prover.verify(proof.subarray(0, proof.length - 32), valid)).toBe(false);
    expect(await prover.verify(new Uint8Array([...proof, ...new Uint8Array(32)]), valid)).toBe(false);
    expect(await prover.verify(new Uint8Array(0), valid)).toBe(false);
    expect(await prover.verify(proof, valid)).toBe(true);
  });

  it('exports the verification key that stock bb.js UltraHonkBackend uses for keccakZK', async () => {
    const backend = new UltraHonkBackend(ownershipArtifact.bytecode, { threads: 1, crsPath });
    try {
      const stockVk = await backend.getVerificationKey({ keccakZK: true });
      expect(Buffer.from(prover.verificationKey()).equals(Buffer.from(stockVk))).toBe(true);
      const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
      const stockOk = await backend.verifyProof(
        { proof, publicInputs: [valid.root, valid.trackId, valid.scope, valid.nullifier].map(hex) },
        { keccakZK: true },
      );
      expect(stockOk).toBe(true);
    } finally {
      await backend.destroy();
    }
  }, 120_000);

  describe('invalid witnesses are refused before proving, with the failed constraint', () => {
    const reason = async (w: OwnershipWitnessInputs): Promise<string> => {
      try {
        await prover.prove(w);
      } catch (e) {
        if (e instanceof ConstraintError) return e.reason;
        throw e;
      }
      throw new Error('witness was accepted');
    };

    it('wrong sibling: membership', async () => {
      const siblings = valid.siblings.slice();
      siblings[0] = siblings[0]! + 1n;
      expect(await reason({ ...valid, siblings })).toBe('membership');
    });

    it('wrong secret: membership', async () => {
      const secret = valid.secret + 1n;
      expect(
        await reason({ ...valid, secret, nullifier: nullifier(secret, valid.trackId, valid.scope) }),
      ).toBe('membership');
    });

    it('wrong nullifier: nullifier', async () => {
      expect(await reason({ ...valid, nullifier: valid.nullifier + 1n })).toBe('nullifier');
    });

    it('scope mismatch (nullifier made for another scope): nullifier', async () => {
      expect(await reason({ ...valid, scope: valid.scope + 1n })).toBe('nullifier');
    });

    it('revoked leaf (zero at the holder position in the tree at root): membership', async () => {
      const leaves = Array.from({ length: base.leafCount }, (_, i) =>
        i === base.index ? 0n : leafHash(commitment(1000n + BigInt(i)), base.token, base.trackId),
      );
      const { root, siblings } = merklePath(leaves, base.index, base.depth);
      expect(await reason({ ...valid, root, siblings })).toBe('membership');
    });

    it('the error message names the constraint and never contains the secret', async () => {
      const err = (await prover.prove({ ...valid, nullifier: 1n }).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ConstraintError);
      expect(err.message).toMatch(/nullifier/);
      expect(err.message).not.toContain(valid.secret.toString(16));
      expect(err.message).not.toContain(valid.secret.toString());
    });
  });

  describe('malformed inputs are refused (ZkInputError) and never reach the circuit', () => {
    const r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
    it.each([
      ['secret >= r', { secret: r }],
      ['root >= r', { root: r + 5n }],
      ['negative token', { token: -1n }],
      ['sibling >= r', { siblings: [...new Array<bigint>(19).fill(0n), r] }],
      ['path too short', { siblings: new Array<bigint>(19).fill(0n) }],
      ['path too long', { siblings: new Array<bigint>(21).fill(0n) }],
      ['leaf index >= 2^20', { leafIndex: 1n << 20n }],
    ])('%s', async (_name, over) => {
      await expect(prover.prove({ ...valid, ...over })).rejects.toBeInstanceOf(ZkInputError);
    });

    it('verify refuses public inputs >= r', async () => {
      await expect(prover.verify(proof, { ...valid, scope: r })).rejects.toBeInstanceOf(ZkInputError);
    });
  });
});
