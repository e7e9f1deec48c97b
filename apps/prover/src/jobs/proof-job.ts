import { SealedSecretError, openJobSecret, type JobPrivateKey } from '@rv/sealed';
import { BadRequestInput, parseProofStatement, type ProofRequest } from '../proving/proof-request';

/** Why a job message was dead-lettered (the `rv-dlq-code` header and the result's `reason`). */
export type JobRejection =
  | 'no_job_id'
  | 'plaintext_secret'
  | 'sealed_secret_malformed'
  | 'unknown_key'
  | 'sealed_secret_does_not_open';

export type DecodedJob =
  | { kind: 'prove'; jobId: string; request: ProofRequest }
  /** Well-formed sealing, bad statement (hex, path length...): a `failed` result, as for HTTP 400. */
  | { kind: 'bad_request'; jobId: string; message: string }
  /**
   * Poison: to the dead-letter topic. `keepPayload` is true only when the message is known to hold
   * no plaintext secret (its sealed secret is well-formed but cannot be opened here).
   */
  | { kind: 'dead_letter'; jobId?: string; code: JobRejection; reason: string; keepPayload: boolean };

const JOB_ID = /^[\w.:-]{1,128}$/;

/**
 * Decodes one `rv.prover.jobs.v1` message: JSON with `jobId`, `sealedSecret` (libs/sealed, bound to
 * this topic and jobId) and the public part of a proof request (POST /v1/proofs minus `secret`).
 * A job that carries `secret` in plain text is refused and never copied anywhere.
 */
export function decodeProofJob(
  value: Buffer | null,
  topic: string,
  key: JobPrivateKey,
  depth: number,
): DecodedJob {
  let body: unknown;
  try {
    body = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    body = undefined;
  }
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  const jobId = b.jobId;
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    return {
      kind: 'dead_letter',
      code: 'no_job_id',
      reason: 'proof job without a valid jobId (payload dropped)',
      keepPayload: false,
    };
  }
  if (Object.prototype.hasOwnProperty.call(b, 'secret')) {
    return {
      kind: 'dead_letter',
      jobId,
      code: 'plaintext_secret',
      reason:
        'proof job carries a plaintext secret, which is refused: send sealedSecret (libs/sealed sealJobSecret with the key from GET /v1/job-key) (payload dropped)',
      keepPayload: false,
    };
  }
  let secret: bigint;
  try {
    secret = openJobSecret(key, topic, jobId, b.sealedSecret);
  } catch (e) {
    if (!(e instanceof SealedSecretError)) throw e;
    switch (e.problem) {
      case 'malformed':
        return {
          kind: 'dead_letter',
          jobId,
          code: 'sealed_secret_malformed',
          reason: `${e.message} (payload dropped)`,
          keepPayload: false,
        };
      case 'unknown_key':
        return { kind: 'dead_letter', jobId, code: 'unknown_key', reason: e.message, keepPayload: true };
      case 'does_not_open':
        return {
          kind: 'dead_letter',
          jobId,
          code: 'sealed_secret_does_not_open',
          reason: e.message,
          keepPayload: true,
        };
    }
  }
  try {
    return { kind: 'prove', jobId, request: { secret, ...parseProofStatement(b, depth) } };
  } catch (e) {
    if (!(e instanceof BadRequestInput)) throw e;
    return { kind: 'bad_request', jobId, message: e.message };
  }
}
