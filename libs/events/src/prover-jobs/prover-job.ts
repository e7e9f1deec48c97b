import { z } from 'zod';

/**
 * Proof jobs and their results (apps/prover's Kafka interface). Unlike the other topics these
 * values carry no `v` field: the envelope version is the topic's `.v1`. Producer guide:
 * docs/prover-jobs.md; sealing: @rv/sealed.
 */
export const PROVER_JOBS_TOPIC = 'rv.prover.jobs.v1';
export const PROVER_RESULTS_TOPIC = 'rv.prover.results.v1';

/** A field element as the prover accepts it: 0x + 1 to 64 hex digits (the value must be < r). */
const fieldHex = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/, '0x followed by 1 to 64 hex digits');
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'standard base64');

export const sealedSecretSchema = z.object({
  scheme: z.literal('rv-job-secret-v1'),
  /** hex(SHA-256(prover job public key)[0..8]) */
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  /** ephemeral X25519 public key, 32 bytes */
  epk: base64,
  /** AES-256-GCM nonce, 12 bytes */
  nonce: base64,
  /** ciphertext of the 32-byte secret + 16-byte tag */
  ct: base64,
});

export const proofJobSchema = z.object({
  jobId: z.string().regex(/^[\w.:-]{1,128}$/),
  /** The identity secret, sealed to the prover's job key for this topic and jobId. Never `secret`. */
  sealedSecret: sealedSecretSchema,
  token: fieldHex,
  trackId: fieldHex,
  scope: fieldHex,
  nullifier: fieldHex,
  root: fieldHex,
  leafIndex: z.number().int().nonnegative(),
  /** depth elements; omitted: the prover fetches the path at `root` from the registry */
  siblings: z.array(fieldHex).optional(),
});

const publicInputsSchema = z.object({
  root: fieldHex,
  trackId: fieldHex,
  scope: fieldHex,
  nullifier: fieldHex,
});

export const proofResultSchema = z.discriminatedUnion('status', [
  z.object({
    jobId: z.string(),
    status: z.literal('proved'),
    /** the UltraHonk (keccak, ZK) proof, 0x-hex */
    proof: z.string().regex(/^0x[0-9a-f]+$/),
    publicInputs: publicInputsSchema,
    verificationKeyHash: z.string(),
  }),
  z.object({
    jobId: z.string(),
    status: z.literal('failed'),
    /** membership, nullifier, zero_leaf, other, bad_request, deadline, path_unavailable, or a dead-letter code */
    reason: z.string(),
    message: z.string(),
  }),
]);

export type ProofJob = z.infer<typeof proofJobSchema>;
export type ProofResult = z.infer<typeof proofResultSchema>;
