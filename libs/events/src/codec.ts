import { z } from 'zod';

/**
 * Shared wire rules of every rv.* topic value: UTF-8 JSON, keys sorted (so one value has exactly
 * one encoding), u64 as decimal strings, 32-byte field elements as 0x + 64 lower-case hex digits,
 * Solana addresses in base58, and a schema version `v` checked BEFORE anything else, so a record
 * written by a newer producer is rejected with a clear `schema_version` reason (a poison record),
 * never half understood.
 */
export type EventDecodeErrorCode = 'bad_encoding' | 'schema_version' | 'invalid';

export interface EventDecodeError {
  code: EventDecodeErrorCode;
  message: string;
}

export type EventDecodeResult<T> = { ok: true; value: T } | { ok: false; error: EventDecodeError };

const U64_MAX = (1n << 64n) - 1n;

const U64_RE = /^(0|[1-9]\d{0,19})$/;
const HEX32_RE = /^0x[0-9a-f]{64}$/;
const PUBKEY_RE = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const SIGNATURE_RE = /^[1-9A-HJ-NP-Za-km-z]{64,88}$/;

/** u64 on the wire: a decimal string without leading zeros; in TypeScript a bigint. */
export const u64 = z
  .string()
  .regex(U64_RE, 'a u64 as a decimal string')
  .transform((s) => BigInt(s))
  .refine((n) => n <= U64_MAX, 'a u64 (at most 2^64-1)');

/** A slot: a non-negative safe integer (Solana slots stay far below 2^53). */
export const slotNumber = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** 32 bytes as 0x + 64 lower-case hex digits (field elements, hashes). */
export const hex32 = z.string().regex(HEX32_RE, '0x followed by 64 lower-case hex digits');

/** A Solana address (base58, 32 bytes). */
export const base58Pubkey = z.string().regex(PUBKEY_RE, 'a base58 Solana address');

/** A transaction signature (base58, 64 bytes). */
export const base58Signature = z.string().regex(SIGNATURE_RE, 'a base58 transaction signature');

/**
 * The same rules as plain checks, for the hand-written decode paths (FastJsonPaths): each accepts
 * exactly what its schema above accepts.
 */
export const wire = {
  /** The u64 schema's value, or undefined where the schema would fail. */
  u64(x: unknown): bigint | undefined {
    if (typeof x !== 'string' || !U64_RE.test(x)) return undefined;
    const n = BigInt(x);
    return n <= U64_MAX ? n : undefined;
  },
  slot: (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0,
  pubkey: (x: unknown): x is string => typeof x === 'string' && PUBKEY_RE.test(x),
  signature: (x: unknown): x is string => typeof x === 'string' && SIGNATURE_RE.test(x),
  /** A string of min..max UTF-16 code units (z.string().min().max()). */
  text: (x: unknown, min: number, max: number): x is string =>
    typeof x === 'string' && x.length >= min && x.length <= max,
};

/** Canonical JSON: object keys sorted, bigint as decimal strings, undefined fields left out. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${parts.join(',')}}`;
}

/** A topic's value codec: `encode` is total on valid values; `decode` never throws. */
export interface ValueCodec<T> {
  readonly version: number;
  encode(value: T): Buffer;
  decode(bytes: Buffer | Uint8Array | null | undefined): EventDecodeResult<T>;
}

/**
 * Optional hand-written paths for a topic's hot record types, the same wire format faster: `encode`
 * returns the exact canonicalJson text of `{ ...value, v }` or undefined (the generic encoder then
 * runs); `decode` gets the parsed object after the version check and returns exactly what the
 * schema would (same fields, same transforms) or undefined whenever it is not sure, and the schema
 * then decides (and names the error). So they can only be faster, never more lenient.
 */
export interface FastJsonPaths<T> {
  encode(value: T): string | undefined;
  decode(raw: Record<string, unknown>): T | undefined;
}

export function jsonCodec<T>(
  version: number,
  schema: z.ZodType<T, unknown>,
  fast?: FastJsonPaths<T>,
): ValueCodec<T> {
  return {
    version,
    encode(value: T): Buffer {
      const text = fast?.encode(value);
      if (text !== undefined) return Buffer.from(text, 'utf8');
      return Buffer.from(canonicalJson({ ...(value as object), v: version }), 'utf8');
    },
    decode(bytes) {
      if (!bytes || bytes.length === 0)
        return { ok: false, error: { code: 'bad_encoding', message: 'empty value' } };
      let raw: unknown;
      try {
        // No copy of the bytes: a Buffer (what Kafka clients hand out) is read in place.
        const buf = Buffer.isBuffer(bytes)
          ? bytes
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        raw = JSON.parse(buf.toString('utf8'));
      } catch (e) {
        return { ok: false, error: { code: 'bad_encoding', message: `not JSON: ${(e as Error).message}` } };
      }
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        return { ok: false, error: { code: 'bad_encoding', message: 'not a JSON object' } };
      }
      const v = (raw as { v?: unknown }).v;
      if (v !== version) {
        return {
          ok: false,
          error: {
            code: 'schema_version',
            message: `schema version ${JSON.stringify(v ?? null)} is not supported (expected ${version})`,
          },
        };
      }
      const quick = fast?.decode(raw as Record<string, unknown>);
      if (quick !== undefined) return { ok: true, value: quick };
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : '(root)';
        return {
          ok: false,
          error: { code: 'invalid', message: `${where}: ${issue?.message ?? 'invalid value'}` },
        };
      }
      return { ok: true, value: parsed.data };
    },
  };
}
