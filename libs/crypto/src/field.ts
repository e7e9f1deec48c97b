/**
 * BN254 scalar field elements (the field of Noir / Barretenberg), as bigint in [0, r).
 * Text form: `0x` + 64 lowercase hex digits. Binary form: 32 bytes big-endian.
 */
export type Field = bigint;

/** r, the BN254 scalar field modulus. */
export const FIELD_MODULUS: Field = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

export class FieldError extends Error {
  override readonly name = 'FieldError';
}

const HEX_FIELD = /^0x[0-9a-fA-F]{64}$/;

/** Throws FieldError unless `x` is a bigint in [0, r). `what` names the value in the message. */
export function assertField(x: bigint, what = 'field element'): Field {
  if (typeof x !== 'bigint') throw new FieldError(`${what}: expected a bigint`);
  if (x < 0n) throw new FieldError(`${what}: negative value`);
  if (x >= FIELD_MODULUS) throw new FieldError(`${what}: value is not below the BN254 scalar modulus r`);
  return x;
}

export function isField(x: unknown): x is Field {
  return typeof x === 'bigint' && x >= 0n && x < FIELD_MODULUS;
}

/** Parses `0x` + exactly 64 hex digits (either case); rejects values >= r. */
export function fieldFromHex(text: string, what = 'field element'): Field {
  if (typeof text !== 'string' || !HEX_FIELD.test(text)) {
    throw new FieldError(`${what}: expected 0x followed by 64 hex digits`);
  }
  return assertField(BigInt(text), what);
}

/** `0x` + 64 lowercase hex digits. */
export function fieldToHex(x: Field): string {
  assertField(x);
  return '0x' + x.toString(16).padStart(64, '0');
}

/** Reads 32 bytes big-endian; rejects other lengths and values >= r. */
export function fieldFromBytes(bytes: Uint8Array, what = 'field element'): Field {
  if (bytes.length !== 32) throw new FieldError(`${what}: expected 32 bytes, got ${bytes.length}`);
  return assertField(bytesToBigInt(bytes), what);
}

/** 32 bytes big-endian. */
export function fieldToBytes(x: Field): Uint8Array {
  assertField(x);
  const out = new Uint8Array(32);
  writeFieldBE(x, out, 0);
  return out;
}

/** Big-endian unsigned integer of any length (no range check). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += HEX_BYTE[b];
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

/** Writes `x` (< 2^256) as 32 bytes big-endian into `out` at `offset`. */
export function writeFieldBE(x: bigint, out: Uint8Array, offset: number): void {
  const hex = x.toString(16).padStart(64, '0');
  if (typeof Buffer !== 'undefined' && out instanceof Buffer) {
    out.write(hex, offset, 32, 'hex');
    return;
  }
  for (let i = 0; i < 32; i++) out[offset + i] = parseInt(hex.substr(i * 2, 2), 16);
}

/** Reads 32 bytes big-endian at `offset` (no range check; for trusted buffers). */
export function readFieldBE(buf: Uint8Array, offset: number): bigint {
  if (typeof Buffer !== 'undefined' && buf instanceof Buffer)
    return BigInt('0x' + buf.toString('hex', offset, offset + 32));
  let hex = '0x';
  for (let i = 0; i < 32; i++) hex += HEX_BYTE[buf[offset + i] as number];
  return BigInt(hex);
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
