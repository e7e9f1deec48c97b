import { createHash } from 'crypto';
import { FIELD_MODULUS } from '@rv/crypto';
import type { OwnershipPublicInputs } from '@rv/zk';
import { badRequest } from '../http/api-error';

export interface VerificationInput {
  proof: Uint8Array;
  publicInputs: OwnershipPublicInputs;
  /** sha256 of the normalized request: a retry must send the same one. */
  hash: Buffer;
}

const MAX_PROOF_BYTES = 32 * 1024;

function field(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v))
    throw badRequest(`${what}: expected 0x followed by 1 to 64 hex digits`);
  const x = BigInt(v);
  if (x >= FIELD_MODULUS) throw badRequest(`${what}: not a BN254 field element (must be < r)`);
  return x;
}

/** Validates `{proof, publicInputs: {root, trackId, scope, nullifier}}`; 400 names the field, never its value. */
export function parseVerificationInput(body: unknown): VerificationInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (
    typeof b.proof !== 'string' ||
    !/^0x([0-9a-fA-F]{2})+$/.test(b.proof) ||
    b.proof.length > 2 + 2 * MAX_PROOF_BYTES
  ) {
    throw badRequest(
      `proof: expected 0x followed by an even number of hex digits (at most ${MAX_PROOF_BYTES} bytes)`,
    );
  }
  const p = b.publicInputs;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw badRequest('publicInputs: expected an object {root, trackId, scope, nullifier}');
  const pi = p as Record<string, unknown>;
  const publicInputs = {
    root: field(pi.root, 'publicInputs.root'),
    trackId: field(pi.trackId, 'publicInputs.trackId'),
    scope: field(pi.scope, 'publicInputs.scope'),
    nullifier: field(pi.nullifier, 'publicInputs.nullifier'),
  };
  const proofHex = b.proof.slice(2).toLowerCase();
  const hash = createHash('sha256')
    .update(
      [proofHex, publicInputs.root, publicInputs.trackId, publicInputs.scope, publicInputs.nullifier]
        .map(String)
        .join('|'),
    )
    .digest();
  return { proof: new Uint8Array(Buffer.from(proofHex, 'hex')), publicInputs, hash };
}

/** `Idempotency-Key` header: required, 1..255 printable characters without spaces. */
export function parseIdempotencyKey(v: unknown): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9._:~-]{1,255}$/.test(v)) {
    throw badRequest('Idempotency-Key header: required, 1 to 255 characters of A-Z a-z 0-9 . _ : ~ -');
  }
  return v;
}
