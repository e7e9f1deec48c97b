import { FIELD_MODULUS } from '@rv/crypto';
import type { OwnershipPublicInputs } from '@rv/zk';

/** A malformed request (HTTP 400). The message names the field, never its value. */
export class BadRequestInput extends Error {
  override readonly name = 'BadRequestInput';
}

/** A proof request: the full witness, or (trackId, leafIndex, root) with the path from the registry. */
export interface ProofRequest {
  secret: bigint;
  token: bigint;
  trackId: bigint;
  scope: bigint;
  nullifier: bigint;
  root: bigint;
  leafIndex: bigint;
  /** Absent: fetch the path of leafIndex at root from the registry. */
  siblings?: bigint[];
}

const HEX = /^0x[0-9a-fA-F]{1,64}$/;

export function parseField(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !HEX.test(v))
    throw new BadRequestInput(`${what}: expected 0x followed by 1 to 64 hex digits`);
  const x = BigInt(v);
  if (x >= FIELD_MODULUS) throw new BadRequestInput(`${what}: not a BN254 field element (must be < r)`);
  return x;
}

function parseIndex(v: unknown, depth: number): bigint {
  const ok =
    (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d{1,12}$/.test(v));
  const x = ok ? BigInt(v as number | string) : -1n;
  if (x < 0n || x >= 1n << BigInt(depth))
    throw new BadRequestInput(`leafIndex: expected an integer in [0, 2^${depth})`);
  return x;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new BadRequestInput(`${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}

export function parseProofRequest(body: unknown, depth: number): ProofRequest {
  const b = object(body, 'body');
  const secret = parseField(b.secret, 'secret');
  return { secret, ...parseProofStatement(b, depth) };
}

/** Everything of a proof request but the secret (a Kafka job carries the secret sealed instead). */
export function parseProofStatement(body: unknown, depth: number): Omit<ProofRequest, 'secret'> {
  const b = object(body, 'body');
  const req: Omit<ProofRequest, 'secret'> = {
    token: parseField(b.token, 'token'),
    trackId: parseField(b.trackId, 'trackId'),
    scope: parseField(b.scope, 'scope'),
    nullifier: parseField(b.nullifier, 'nullifier'),
    root: parseField(b.root, 'root'),
    leafIndex: parseIndex(b.leafIndex, depth),
  };
  if (b.siblings !== undefined) {
    if (!Array.isArray(b.siblings) || b.siblings.length !== depth) {
      throw new BadRequestInput(`siblings: expected an array of exactly ${depth} field elements`);
    }
    req.siblings = b.siblings.map((s, i) => parseField(s, `siblings[${i}]`));
  }
  return req;
}

export function parsePublicInputs(v: unknown): OwnershipPublicInputs {
  const p = object(v, 'publicInputs');
  return {
    root: parseField(p.root, 'publicInputs.root'),
    trackId: parseField(p.trackId, 'publicInputs.trackId'),
    scope: parseField(p.scope, 'publicInputs.scope'),
    nullifier: parseField(p.nullifier, 'publicInputs.nullifier'),
  };
}

const MAX_PROOF_BYTES = 64 * 1024;

export function parseProofBytes(v: unknown): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(v) || v.length > 2 + 2 * MAX_PROOF_BYTES) {
    throw new BadRequestInput(
      `proof: expected 0x followed by an even number of hex digits (at most ${MAX_PROOF_BYTES} bytes)`,
    );
  }
  return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
}

export const fieldHex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');

export function publicInputsJson(p: OwnershipPublicInputs): Record<keyof OwnershipPublicInputs, string> {
  return {
    root: fieldHex(p.root),
    trackId: fieldHex(p.trackId),
    scope: fieldHex(p.scope),
    nullifier: fieldHex(p.nullifier),
  };
}
