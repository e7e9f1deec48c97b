import * as path from 'path';
import { FIELD_MODULUS, fieldFromBytes, readFieldBE, writeFieldBE } from './field';
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
  /**
   * The batch API without per-hash JS objects (native and TypeScript hashers have it): `packed` holds `count * arity` field elements
   * (32 bytes big-endian each, all < r, else it throws); returns `count` 32-byte outputs.
   */
  hashPacked?(packed: Uint8Array, arity: number): Buffer;
}

function checkPacked(packed: Uint8Array, arity: number): number {
  if (!Number.isInteger(arity) || arity < 1 || arity > 16) throw new RangeError('arity must be in 1..16');
  if (packed.length % (32 * arity) !== 0) {
    throw new RangeError(`packed inputs: length ${packed.length} is not a multiple of ${32 * arity}`);
  }
  return packed.length / (32 * arity);
}

export const tsHasher: Poseidon2Hasher & Required<Pick<Poseidon2Hasher, 'hashPacked'>> = {
  name: 'ts',
  hash: poseidon2HashTs,
  hashPairs(flat) {
    const out = new Array<bigint>(flat.length >> 1);
    for (let i = 0; i < out.length; i++)
      out[i] = poseidon2HashTs([flat[2 * i] as bigint, flat[2 * i + 1] as bigint]);
    return out;
  },
  hashPacked(packed, arity) {
    const count = checkPacked(packed, arity);
    const out = Buffer.alloc(32 * count);
    const inputs = new Array<bigint>(arity);
    for (let c = 0; c < count; c++) {
      for (let j = 0; j < arity; j++) {
        inputs[j] = fieldFromBytes(packed.subarray((c * arity + j) * 32, (c * arity + j + 1) * 32));
      }
      writeFieldBE(poseidon2HashTs(inputs), out, c * 32);
    }
    return out;
  },
};

interface NativeAddon {
  hash(inputs: Buffer): Buffer;
  /** Batches of arity 1..3 run 8 permutations at once with AVX-512 IFMA where the CPU has it. */
  hashMany(inputs: Buffer, arity: number): Buffer;
  /** Newer builds: writes into `out`, no allocation; `scalar` forces the one-by-one path. */
  hashManyInto?(inputs: Buffer, arity: number, out: Buffer, scalar?: boolean): number;
  /** Newer builds: "avx512ifma" or "scalar". */
  batchBackend?(): string;
}

/** The native hasher, with what it says about its batch path. */
export interface NativePoseidon2Hasher extends Poseidon2Hasher {
  /** "avx512ifma" (8 hashes per permutation pass) or "scalar". */
  readonly batchBackend: string;
  hashPacked(packed: Uint8Array, arity: number): Buffer;
  /** hashPacked on the one-by-one path even where SIMD exists (to compare them). */
  hashPackedScalar(packed: Uint8Array, arity: number): Buffer;
}

function toBuffer(values: readonly bigint[]): Buffer {
  const buf = Buffer.allocUnsafe(values.length * 32);
  for (let i = 0; i < values.length; i++) writeFieldBE(values[i] as bigint, buf, i * 32);
  return buf;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function wrapNative(addon: NativeAddon): NativePoseidon2Hasher {
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
    hashPacked(packed, arity) {
      checkPacked(packed, arity);
      return addon.hashMany(asBuffer(packed), arity);
    },
    hashPackedScalar(packed, arity) {
      const count = checkPacked(packed, arity);
      if (!into) return addon.hashMany(asBuffer(packed), arity);
      const res = Buffer.allocUnsafe(32 * count);
      into(asBuffer(packed), arity, res, true);
      return res;
    },
    batchBackend: addon.batchBackend?.() ?? 'scalar',
  };
}

/** Where libs/crypto/native/build.sh puts the addon, seen from src/ and from dist/libs/crypto/src/. */
const NATIVE_CANDIDATES = [
  path.resolve(__dirname, '../native/rv_poseidon2.node'),
  path.resolve(__dirname, '../../../../libs/crypto/native/rv_poseidon2.node'),
];

let nativeState: { hasher: NativePoseidon2Hasher | null; reason: string } | undefined;

/**
 * The native addon (Rust, taceo-poseidon2 permutation) if it was built and agrees with the
 * TypeScript implementation on a known input; otherwise null (see nativeHasherStatus()).
 */
export function loadNativeHasher(): NativePoseidon2Hasher | null {
  if (nativeState) return nativeState.hasher;
  const reasons: string[] = [];
  for (const file of NATIVE_CANDIDATES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      const hasher = wrapNative(addon);
      const probe = [1n, 2n, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000n];
      // Nine pairs: one full group of eight SIMD lanes and a partial one.
      const pairs = Array.from(
        { length: 18 },
        (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n) ** 4n % FIELD_MODULUS,
      );
      const hashed = hasher.hashPairs(pairs);
      if (
        hasher.hash(probe) !== poseidon2HashTs(probe) ||
        hashed.some((h, i) => h !== poseidon2HashTs([pairs[2 * i] as bigint, pairs[2 * i + 1] as bigint]))
      ) {
        reasons.push(`${file}: disagrees with the reference implementation, ignored`);
        continue;
      }
      nativeState = { hasher, reason: `loaded ${file} (batches: ${hasher.batchBackend})` };
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
