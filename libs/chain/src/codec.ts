import { PublicKey } from '@solana/web3.js';
import { IdlField, IdlType } from './program';
import { DecodeResult, fail, ok } from './result';

/**
 * Decoded value of an IDL field: u8 -> number, u64 -> bigint, pubkey -> PublicKey, [u8;N] -> Uint8Array,
 * [T;N] (T not u8) -> array of T's values.
 */
export type FieldValue = number | bigint | PublicKey | Uint8Array | FieldValue[];

export const U64_MAX = (1n << 64n) - 1n;

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function typeSize(t: IdlType): number {
  if (t === 'u8') return 1;
  if (t === 'u64') return 8;
  if (t === 'pubkey') return 32;
  return typeSize(t.array[0]) * t.array[1];
}

export function fieldsSize(fields: readonly IdlField[]): number {
  return fields.reduce((n, f) => n + typeSize(f.type), 0);
}

function readValue(data: Uint8Array, view: DataView, o: number, t: IdlType): FieldValue {
  if (t === 'u8') return data[o] as number;
  if (t === 'u64') return view.getBigUint64(o, true);
  if (t === 'pubkey') return new PublicKey(data.subarray(o, o + 32));
  const [inner, len] = t.array;
  if (inner === 'u8') return new Uint8Array(data.subarray(o, o + len)); // a copy, never a view of the input
  const size = typeSize(inner);
  return Array.from({ length: len }, (_x, i) => readValue(data, view, o + i * size, inner));
}

/** Reads fixed-size fields at `offset` into camelCase keys; the caller has checked the length. */
export function readFields(
  data: Uint8Array,
  offset: number,
  fields: readonly IdlField[],
): Record<string, FieldValue> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Record<string, FieldValue> = {};
  let o = offset;
  for (const f of fields) {
    out[snakeToCamel(f.name)] = readValue(data, view, o, f.type);
    o += typeSize(f.type);
  }
  return out;
}

function writeValue(out: Uint8Array, view: DataView, o: number, t: IdlType, v: unknown, key: string): void {
  if (t === 'u8') {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
      throw new RangeError(`${key} must be an integer in 0..=255`);
    }
    out[o] = v;
  } else if (t === 'u64') {
    view.setBigUint64(o, toU64(v, key), true);
  } else if (t === 'pubkey') {
    if (!(v instanceof PublicKey)) throw new RangeError(`${key} must be a PublicKey`);
    out.set(v.toBytes(), o);
  } else {
    const [inner, len] = t.array;
    if (inner === 'u8') {
      if (!(v instanceof Uint8Array) || v.length !== len) {
        throw new RangeError(`${key} must be a Uint8Array of ${len} bytes`);
      }
      out.set(v, o);
      return;
    }
    if (!Array.isArray(v) || v.length !== len)
      throw new RangeError(`${key} must be an array of ${len} items`);
    const size = typeSize(inner);
    v.forEach((item, i) => writeValue(out, view, o + i * size, inner, item, `${key}[${i}]`));
  }
}

/**
 * Writes fields (camelCase keys) into a new buffer after `prefix`. Throws RangeError on a missing or
 * out-of-range value: encoding bad input is a programming error, not data from the wire.
 */
export function writeFields(
  prefix: readonly number[],
  fields: readonly IdlField[],
  values: Readonly<Record<string, unknown>>,
): Uint8Array {
  const out = new Uint8Array(prefix.length + fieldsSize(fields));
  out.set(prefix, 0);
  const view = new DataView(out.buffer);
  let o = prefix.length;
  for (const f of fields) {
    const key = snakeToCamel(f.name);
    writeValue(out, view, o, f.type, values[key], key);
    o += typeSize(f.type);
  }
  return out;
}

/** Accepts a bigint or a safe integer number in 0..=2^64-1. */
export function toU64(v: unknown, name: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw new RangeError(`${name} must be a bigint or a safe integer`);
  if (b < 0n || b > U64_MAX) throw new RangeError(`${name} must be in 0..=2^64-1`);
  return b;
}

export function u64Le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

export function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  if (data.length < prefix.length) return false;
  return prefix.every((b, i) => data[i] === b);
}

/** Decodes `discriminator ++ fields` of one known fixed-size item, checking length strictly. */
export function decodeFixed(
  what: string,
  data: Uint8Array,
  discriminatorLen: number,
  fields: readonly IdlField[],
): DecodeResult<Record<string, FieldValue>> {
  const expected = discriminatorLen + fieldsSize(fields);
  if (data.length < expected) {
    return fail('truncated', `${what}: ${data.length} bytes, expected ${expected}`);
  }
  if (data.length > expected) {
    return fail('trailing_bytes', `${what}: ${data.length} bytes, expected ${expected}`);
  }
  return ok(readFields(data, discriminatorLen, fields));
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (with padding), as Solana prints `Program data:` logs. */
export function decodeBase64(s: string): DecodeResult<Uint8Array> {
  if (!BASE64_RE.test(s)) return fail('bad_base64', 'not canonical padded base64');
  return ok(new Uint8Array(Buffer.from(s, 'base64')));
}

export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
