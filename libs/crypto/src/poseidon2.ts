import * as path from 'path';
import { readFieldBE, writeFieldBE } from './field';
import { poseidon2HashTs } from './poseidon2-ts';

/**
 * A Poseidon2 implementation (Barretenberg's sponge over BN254). Inputs must already be field
 * elements in [0, r): parse untrusted input with fieldFromHex / fieldFromBytes first.
 */
export interface Poseidon2Hasher {
  readonly name: string;
  hash(inputs: readonly bigint[]): bigint;
  /** H(flat[2i], flat[2i+1]) for every i: one call for a whole level of Merkle nodes. */
  hashPairs(flat: readonly bigint[]): bigint[];
}

export const tsHasher: Poseidon2Hasher = {
  name: 'ts',
  hash: poseidon2HashTs,
  hashPairs(flat) {
    const out = new Array<bigint>(flat.length >> 1);
    for (let i = 0; i < out.length; i++)
      out[i] = poseidon2HashTs([flat[2 * i] as bigint, flat[2 * i + 1] as bigint]);
    return out;
  },
};

interface NativeAddon {
  hash(inputs: Buffer): Buffer;
  hashMany(inputs: Buffer, arity: number): Buffer;
  /** Newer builds: writes into `out`, no allocation. */
  hashManyInto?(inputs: Buffer, arity: number, out: Buffer): number;
}

function toBuffer(values: readonly bigint[]): Buffer {
  const buf = Buffer.allocUnsafe(values.length * 32);
  for (let i = 0; i < values.length; i++) writeFieldBE(values[i] as bigint, buf, i * 32);
  return buf;
}

function wrapNative(addon: NativeAddon): Poseidon2Hasher {
  // Single hashes reuse one input buffer per arity and one output buffer (calls are synchronous).
  const inputsByArity = Array.from({ length: 17 }, (_, n) => Buffer.alloc(32 * n));
  const out = Buffer.alloc(32);
  const into = addon.hashManyInto?.bind(addon);
  return {
    name: 'native',
    hash(inputs) {
      const n = inputs.length;
      if (!into || n === 0 || n > 16) return readFieldBE(addon.hash(toBuffer(inputs)), 0);
      const buf = inputsByArity[n] as Buffer;
      for (let i = 0; i < n; i++) writeFieldBE(inputs[i] as bigint, buf, i * 32);
      into(buf, n, out);
      return readFieldBE(out, 0);
    },
    hashPairs(flat) {
      if (flat.length === 0) return [];
      const outs = addon.hashMany(toBuffer(flat), 2);
      const res = new Array<bigint>(flat.length >> 1);
      for (let i = 0; i < res.length; i++) res[i] = readFieldBE(outs, i * 32);
      return res;
    },
  };
}

/** Where libs/crypto/native/build.sh puts the addon, seen from src/ and from dist/libs/crypto/src/. */
const NATIVE_CANDIDATES = [
  path.resolve(__dirname, '../native/rv_poseidon2.node'),
  path.resolve(__dirname, '../../../../libs/crypto/native/rv_poseidon2.node'),
];

let nativeState: { hasher: Poseidon2Hasher | null; reason: string } | undefined;

/**
 * The native addon (Rust, taceo-poseidon2 permutation) if it was built and agrees with the
 * TypeScript implementation on a known input; otherwise null (see nativeHasherStatus()).
 */
export function loadNativeHasher(): Poseidon2Hasher | null {
  if (nativeState) return nativeState.hasher;
  const reasons: string[] = [];
  for (const file of NATIVE_CANDIDATES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      const hasher = wrapNative(addon);
      const probe = [1n, 2n, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000n];
      if (
        hasher.hash(probe) !== poseidon2HashTs(probe) ||
        hasher.hashPairs([3n, 4n])[0] !== poseidon2HashTs([3n, 4n])
      ) {
        reasons.push(`${file}: disagrees with the reference implementation, ignored`);
        continue;
      }
      nativeState = { hasher, reason: `loaded ${file}` };
      return hasher;
    } catch (e) {
      reasons.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  nativeState = { hasher: null, reason: reasons.join('; ') };
  return null;
}

/** Why the native addon is or is not in use (for logs and the benchmark). */
export function nativeHasherStatus(): string {
  loadNativeHasher();
  return nativeState?.reason ?? 'not loaded';
}

let defaultHasher: Poseidon2Hasher | undefined;

/** The fastest correct implementation available: native addon if built, else pure TypeScript. */
export function getHasher(): Poseidon2Hasher {
  defaultHasher ??= loadNativeHasher() ?? tsHasher;
  return defaultHasher;
}

/** H(inputs...) with the default implementation. Inputs must be field elements in [0, r). */
export function poseidon2Hash(inputs: readonly bigint[]): bigint {
  return getHasher().hash(inputs);
}
