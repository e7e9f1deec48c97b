import bs58 from 'bs58';
import { assertField, bytesToBigInt, FieldError, type Field } from './field';
import { poseidon2Hash } from './poseidon2';

/**
 * The encodings of ARCHITECTURE.md "Cryptography"; the circuit computes the same values.
 * track_id and scope are field elements (a u64 track id is simply its integer value).
 */

/** C = H(s): the identity commitment a wallet registers on chain. */
export function commitment(secret: Field): Field {
  return poseidon2Hash([assertField(secret, 'secret')]);
}

/** 32 raw bytes of a mint address, from base58 text or bytes. */
export function mintBytes(mint: string | Uint8Array): Uint8Array {
  const bytes = typeof mint === 'string' ? decodeBase58(mint) : mint;
  if (bytes.length !== 32) throw new FieldError(`mint: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}

function decodeBase58(text: string): Uint8Array {
  try {
    return bs58.decode(text);
  } catch {
    throw new FieldError('mint: not valid base58');
  }
}

/** t = H(hi, lo): hi = first 16 bytes of the mint as a big-endian integer, lo = last 16. */
export function tokenField(mint: string | Uint8Array): Field {
  const bytes = mintBytes(mint);
  const hi = bytesToBigInt(bytes.subarray(0, 16));
  const lo = bytesToBigInt(bytes.subarray(16, 32));
  return poseidon2Hash([hi, lo]);
}

/** L = H(C, t, track_id): the ownership leaf. The zero leaf (0) means "no leaf". */
export function leafHash(commitmentValue: Field, tokenFieldValue: Field, trackId: Field): Field {
  return poseidon2Hash([
    assertField(commitmentValue, 'commitment'),
    assertField(tokenFieldValue, 'token field'),
    assertField(trackId, 'track id'),
  ]);
}

/** N = H(s, track_id, scope): the nullifier of one verification scope. */
export function nullifier(secret: Field, trackId: Field, scope: Field): Field {
  return poseidon2Hash([
    assertField(secret, 'secret'),
    assertField(trackId, 'track id'),
    assertField(scope, 'scope'),
  ]);
}
