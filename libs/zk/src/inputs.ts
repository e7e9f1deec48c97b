import { FIELD_MODULUS } from '@rv/crypto';
import { ZkInputError } from './errors';

/** The public inputs of an ownership proof, in circuit order: root, track_id, scope, nullifier. */
export interface OwnershipPublicInputs {
  root: bigint;
  trackId: bigint;
  scope: bigint;
  nullifier: bigint;
}

/** Everything the circuit needs. `secret` is the holder's identity secret: never log it. */
export interface OwnershipWitnessInputs extends OwnershipPublicInputs {
  secret: bigint;
  token: bigint;
  leafIndex: bigint;
  siblings: readonly bigint[];
}

export const PUBLIC_INPUT_ORDER = ['root', 'trackId', 'scope', 'nullifier'] as const;

function field(x: unknown, what: string): bigint {
  if (typeof x !== 'bigint') throw new ZkInputError(`${what}: expected a field element`);
  if (x < 0n || x >= FIELD_MODULUS) throw new ZkInputError(`${what}: not a field element (must be < r)`);
  return x;
}

/** Checks ranges and path length; throws ZkInputError naming the offending input (never its value). */
export function validateWitnessInputs(w: OwnershipWitnessInputs, depth: number): void {
  field(w.secret, 'secret');
  field(w.token, 'token');
  validatePublicInputs(w);
  if (!Array.isArray(w.siblings) || w.siblings.length !== depth) {
    throw new ZkInputError(
      `siblings: expected ${depth} path elements, got ${Array.isArray(w.siblings) ? w.siblings.length : 'none'}`,
    );
  }
  w.siblings.forEach((s, i) => field(s, `siblings[${i}]`));
  if (typeof w.leafIndex !== 'bigint' || w.leafIndex < 0n || w.leafIndex >= 1n << BigInt(depth)) {
    throw new ZkInputError(`leafIndex: expected an integer in [0, 2^${depth})`);
  }
}

export function validatePublicInputs(p: OwnershipPublicInputs): void {
  field(p.root, 'root');
  field(p.trackId, 'trackId');
  field(p.scope, 'scope');
  field(p.nullifier, 'nullifier');
}

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');

/** noir_js input map (names as in circuits/ownership/src/main.nr). */
export function toNoirInputs(w: OwnershipWitnessInputs): Record<string, string | string[]> {
  return {
    secret: hex(w.secret),
    token: hex(w.token),
    leaf_index: hex(w.leafIndex),
    siblings: w.siblings.map(hex),
    root: hex(w.root),
    track_id: hex(w.trackId),
    scope: hex(w.scope),
    nullifier: hex(w.nullifier),
  };
}

/** The public inputs as bb.js lays them before the proof: 32-byte big-endian fields. */
export function publicInputsToBytes(p: OwnershipPublicInputs): Buffer {
  return Buffer.concat(
    PUBLIC_INPUT_ORDER.map((k) => Buffer.from(p[k].toString(16).padStart(64, '0'), 'hex')),
  );
}

export function publicInputsFromBytes(b: Uint8Array): OwnershipPublicInputs {
  const at = (i: number): bigint =>
    BigInt('0x' + Buffer.from(b.subarray(i * 32, i * 32 + 32)).toString('hex'));
  return { root: at(0), trackId: at(1), scope: at(2), nullifier: at(3) };
}
