import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { FIELD_MODULUS } from '@rv/crypto';

/**
 * Sealed job secrets: how a producer hands the holder's identity secret to apps/prover over Kafka
 * without the topic ever storing it in plain text. ECIES, node:crypto only:
 *
 *   scheme  "rv-job-secret-v1"
 *   kid     hex(SHA-256(P)[0..8])                       P = the prover's raw X25519 public key (32 B)
 *   eph     a fresh X25519 key pair for every sealed secret; epk = its raw public key (32 B)
 *   shared  X25519(eph.private, P)                      (all-zero result refused)
 *   key     HKDF-SHA256(ikm = shared, salt = epk ‖ P, info = "rv.prover.job-secret.v1", 32 B)
 *   nonce   12 random bytes
 *   aad     UTF-8 "rv.prover.job-secret.v1\n" + topic + "\n" + jobId
 *   ct      AES-256-GCM(key, nonce, secret as 32 bytes big-endian, aad) ‖ 16-byte tag  (48 B)
 *
 * JSON form (the job's `sealedSecret` field; binary fields in standard base64 with padding):
 *   { "scheme": "rv-job-secret-v1", "kid": "<16 hex>", "epk": "<b64>", "nonce": "<b64>", "ct": "<b64>" }
 *
 * jobId matches [A-Za-z0-9_.:-]{1,128} and topic [A-Za-z0-9._-]{1,249} (Kafka's topic charset),
 * so the newline-separated AAD is unambiguous. Binding (topic, jobId) means a sealed secret copied
 * into another job, or onto another topic, does not open.
 */
export const JOB_SECRET_SCHEME = 'rv-job-secret-v1';
export const PROVER_JOBS_TOPIC = 'rv.prover.jobs.v1';
const LABEL = 'rv.prover.job-secret.v1';
const JOB_ID = /^[\w.:-]{1,128}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const KID = /^[0-9a-f]{16}$/;

/** The prover's public job key, as served by apps/prover `GET /v1/job-key`. */
export interface JobPublicKey {
  /** hex(SHA-256(raw public key)[0..8]) */
  keyId: string;
  /** raw 32-byte X25519 public key, standard base64 */
  publicKey: string;
}

/** The prover's side: its X25519 private key (a KeyObject, which never prints its content). */
export interface JobPrivateKey {
  keyId: string;
  privateKey: KeyObject;
  /** raw 32-byte X25519 public key */
  publicKey: Buffer;
}

export interface SealedSecret {
  scheme: typeof JOB_SECRET_SCHEME;
  kid: string;
  epk: string;
  nonce: string;
  ct: string;
}

export type SealedSecretProblem = 'malformed' | 'unknown_key' | 'does_not_open';

/** A sealed secret the prover cannot open. The message never carries key or secret material. */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
  constructor(
    readonly problem: SealedSecretProblem,
    message: string,
  ) {
    super(message);
  }
}

export const jobKeyId = (rawPublicKey: Uint8Array): string =>
  createHash('sha256').update(rawPublicKey).digest().subarray(0, 8).toString('hex');

/** The additional authenticated data that binds a sealed secret to one job on one topic. */
export function jobSecretAad(topic: string, jobId: string): Buffer {
  if (!TOPIC.test(topic)) throw new TypeError('topic: expected a Kafka topic name ([A-Za-z0-9._-]{1,249})');
  if (!JOB_ID.test(jobId)) throw new TypeError('jobId: expected 1 to 128 characters of [A-Za-z0-9_.:-]');
  return Buffer.from(`${LABEL}\n${topic}\n${jobId}`, 'utf8');
}

const rawToPublicKey = (raw: Uint8Array): KeyObject =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });

const publicKeyToRaw = (key: KeyObject): Buffer => {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new TypeError('expected an X25519 key');
  return Buffer.from(x, 'base64url');
};

/** Canonical standard base64 of exactly `bytes` bytes, else undefined. */
function b64(v: unknown, bytes: number): Buffer | undefined {
  if (typeof v !== 'string') return undefined;
  const b = Buffer.from(v, 'base64');
  return b.length === bytes && b.toString('base64') === v ? b : undefined;
}

function deriveKey(shared: Buffer, epk: Buffer, recipient: Buffer): Buffer {
  if (shared.every((x) => x === 0))
    throw new SealedSecretError('does_not_open', 'sealed secret: degenerate ephemeral key');
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), LABEL, 32));
}

/**
 * Seals `secret` (a BN254 field element) for the prover key `key`, bound to `jobId` on `topic`.
 * Pure apart from fresh randomness (ephemeral key, nonce): two calls never give the same output.
 */
export function sealJobSecret(
  key: JobPublicKey,
  jobId: string,
  secret: bigint,
  topic: string = PROVER_JOBS_TOPIC,
): SealedSecret {
  if (typeof secret !== 'bigint' || secret < 0n || secret >= FIELD_MODULUS) {
    throw new TypeError('secret: expected a BN254 field element (bigint in [0, r))');
  }
  const recipient = b64(key.publicKey, 32);
  if (!recipient) throw new TypeError('publicKey: expected the base64 of a 32-byte X25519 public key');
  if (key.keyId !== jobKeyId(recipient)) throw new TypeError('keyId: does not match publicKey');
  const aad = jobSecretAad(topic, jobId);
  const eph = generateKeyPairSync('x25519');
  const epk = publicKeyToRaw(eph.publicKey);
  const k = deriveKey(
    diffieHellman({ privateKey: eph.privateKey, publicKey: rawToPublicKey(recipient) }),
    epk,
    recipient,
  );
  const nonce = randomBytes(12);
  const plain = Buffer.from(secret.toString(16).padStart(64, '0'), 'hex');
  const cipher = createCipheriv('aes-256-gcm', k, nonce).setAAD(aad);
  const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  plain.fill(0);
  k.fill(0);
  return {
    scheme: JOB_SECRET_SCHEME,
    kid: key.keyId,
    epk: epk.toString('base64'),
    nonce: nonce.toString('base64'),
    ct: ct.toString('base64'),
  };
}

/**
 * Opens a sealed secret with the prover's key. Throws SealedSecretError: `malformed` (not the
 * JSON form above, or not a field element inside), `unknown_key` (kid is not this key's),
 * `does_not_open` (wrong job id, topic or key, or tampered).
 */
export function openJobSecret(key: JobPrivateKey, topic: string, jobId: string, sealed: unknown): bigint {
  const s = (typeof sealed === 'object' && sealed !== null && !Array.isArray(sealed) ? sealed : {}) as Record<
    string,
    unknown
  >;
  const epk = b64(s.epk, 32);
  const nonce = b64(s.nonce, 12);
  const ct = b64(s.ct, 48);
  if (
    s.scheme !== JOB_SECRET_SCHEME ||
    typeof s.kid !== 'string' ||
    !KID.test(s.kid) ||
    !epk ||
    !nonce ||
    !ct
  ) {
    throw new SealedSecretError(
      'malformed',
      `sealedSecret: expected { scheme: "${JOB_SECRET_SCHEME}", kid: 16 hex digits, epk: base64 of 32 bytes, nonce: base64 of 12 bytes, ct: base64 of 48 bytes }`,
    );
  }
  if (s.kid !== key.keyId)
    throw new SealedSecretError(
      'unknown_key',
      `sealedSecret: key id ${s.kid} is not this prover's job key (${key.keyId})`,
    );
  let aad: Buffer;
  try {
    aad = jobSecretAad(topic, jobId);
  } catch (e) {
    throw new SealedSecretError('malformed', (e as Error).message);
  }
  let plain: Buffer;
  try {
    const k = deriveKey(
      diffieHellman({ privateKey: key.privateKey, publicKey: rawToPublicKey(epk) }),
      epk,
      key.publicKey,
    );
    const decipher = createDecipheriv('aes-256-gcm', k, nonce).setAAD(aad).setAuthTag(ct.subarray(32));
    plain = Buffer.concat([decipher.update(ct.subarray(0, 32)), decipher.final()]);
    k.fill(0);
  } catch {
    throw new SealedSecretError(
      'does_not_open',
      'sealedSecret: does not open for this job id, topic and key (sealed for another job, or tampered)',
    );
  }
  const secret = BigInt('0x' + plain.toString('hex'));
  plain.fill(0);
  if (secret >= FIELD_MODULUS)
    throw new SealedSecretError('malformed', 'sealedSecret: the sealed value is not a BN254 field element');
  return secret;
}

/** A fresh X25519 job key pair: the private key as PKCS#8 PEM (what the key file holds). */
export function generateJobKeyPem(): string {
  return generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads a PKCS#8 PEM X25519 private key (e.g. `openssl genpkey -algorithm X25519`). Errors never echo the content. */
export function jobPrivateKeyFromPem(pem: string | Buffer): JobPrivateKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new TypeError('expected a PKCS#8 PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'x25519')
    throw new TypeError(`expected an X25519 key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  const publicKey = publicKeyToRaw(createPublicKey(privateKey));
  return { keyId: jobKeyId(publicKey), privateKey, publicKey };
}

/** What producers need to seal for this key (the body of `GET /v1/job-key`, minus extras). */
export const jobPublicKeyOf = (key: JobPrivateKey): JobPublicKey => ({
  keyId: key.keyId,
  publicKey: key.publicKey.toString('base64'),
});
