import { randomUUID } from 'crypto';
import { fieldToBytes } from '@rv/crypto';
import { ApiError } from '../http/api-error';
import type { ProofVerifier } from './proof-verifier';
import { ChainRejectedError, ChainUnavailableError, type ChainApi } from './solana-chain';
import type { VerificationInput } from './verification-input';
import {
  NullifierClaimedError,
  type VerificationRequest,
  type VerificationRequestsRepository,
} from './verification-requests.repository';

const I64_MAX = 2n ** 63n - 1n;

export interface VerificationView {
  id: string;
  status: 'pending' | 'confirmed' | 'failed';
  signature: string | null;
  slot: number | null;
  trackId: string;
  scope: string;
  nullifier: string;
  root: string;
  createdAt: string;
  error?: { code: string; message: string };
}

const hex = (b: Buffer) => '0x' + b.toString('hex');

export function presentVerification(r: VerificationRequest): VerificationView {
  const status =
    r.status === 'confirmed'
      ? 'confirmed'
      : r.status === 'failed' || r.status === 'rejected'
        ? 'failed'
        : 'pending';
  return {
    id: r.id,
    status,
    signature: r.signature,
    slot: r.slot,
    trackId: r.trackId.toString(),
    scope: hex(r.scope),
    nullifier: hex(r.nullifier),
    root: hex(r.root),
    createdAt: r.createdAt.toISOString(),
    ...(r.errorCode ? { error: { code: r.errorCode, message: r.errorMessage ?? '' } } : {}),
  };
}

export type ChainProvider = () => ChainApi | undefined;

/** A request 'processing' this long belongs to a gateway that died: a retry may take it over. */
const STALE_PROCESSING_MS = 120_000;
/** A submitted transaction the chain has not seen after this long was dropped (blockhash expired). */
const DROPPED_AFTER_MS = 120_000;

/**
 * POST /v1/verifications: verify the proof, check the root is accepted and recent for the track,
 * check the nullifier is unused (database, then chain), record it on chain with record_verification.
 * One row per (API key, Idempotency-Key) makes retries safe: a replay answers what the first
 * attempt answered; a transient failure (503) leaves the row retryable; a submitted
 * transaction's signature is stored before it is sent, so a retry first asks the chain about it.
 */
export class VerifyOwnership {
  constructor(
    private readonly repo: VerificationRequestsRepository,
    private readonly verifier: ProofVerifier,
    private readonly chain: ChainProvider,
    private readonly recentRoots: number,
  ) {}

  async execute(
    apiKeyId: string,
    idempotencyKey: string,
    input: VerificationInput,
  ): Promise<{ replayed: boolean; view: VerificationView }> {
    const chain = this.chain();
    if (!chain)
      throw new ApiError(
        503,
        'unavailable',
        'verifications are not configured on this gateway (no verifier key)',
      );
    const pi = input.publicInputs;
    const row = {
      id: randomUUID(),
      apiKeyId,
      idempotencyKey,
      requestHash: input.hash,
      trackId: pi.trackId > I64_MAX ? -1n : pi.trackId,
      scope: Buffer.from(fieldToBytes(pi.scope)),
      nullifier: Buffer.from(fieldToBytes(pi.nullifier)),
      root: Buffer.from(fieldToBytes(pi.root)),
    };
    let id: string = row.id;
    if (!(await this.repo.insert(row))) {
      const existing = await this.repo.byIdempotencyKey(apiKeyId, idempotencyKey);
      if (!existing)
        throw new ApiError(
          409,
          'conflict',
          'a request with this Idempotency-Key is in progress; retry shortly',
        );
      if (!existing.requestHash.equals(input.hash)) {
        throw new ApiError(
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was used with a different request body',
        );
      }
      if (existing.status === 'rejected') {
        throw new ApiError(
          existing.httpStatus ?? 422,
          (existing.errorCode ?? 'unprocessable') as never,
          existing.errorMessage ?? 'rejected',
        );
      }
      if (existing.status !== 'retryable' && existing.status !== 'processing') {
        return { replayed: true, view: presentVerification(existing) };
      }
      if (!(await this.repo.takeOver(existing.id, STALE_PROCESSING_MS))) {
        throw new ApiError(
          409,
          'conflict',
          'a request with this Idempotency-Key is in progress; retry shortly',
        );
      }
      id = existing.id;
      // the earlier attempt may have landed although its answer was lost
      if (existing.signature) {
        const settled = await this.settleFromChain(chain, existing.id, existing.signature);
        if (settled)
          return {
            replayed: true,
            view: presentVerification((await this.repo.byId(existing.id, apiKeyId))!),
          };
      }
      if (existing.errorCode) await this.repo.clearError(existing.id);
    }
    try {
      await this.process(chain, id, row, input);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 422 || e.status === 409))
        await this.repo.reject(id, e.status, e.code, e.message);
      else await this.repo.retryable(id);
      throw e;
    }
    return { replayed: false, view: presentVerification((await this.repo.byId(id, apiKeyId))!) };
  }

  /** GET /v1/verifications/:id: asks the chain about a submitted transaction before answering. */
  async status(apiKeyId: string, id: string): Promise<VerificationView> {
    const r = await this.repo.byId(id, apiKeyId);
    if (!r) throw new ApiError(404, 'not_found', 'no such verification for this API key');
    const chain = this.chain();
    if (chain && r.status === 'submitted' && r.signature) {
      try {
        if (await this.settleFromChain(chain, r.id, r.signature)) {
          return presentVerification((await this.repo.byId(id, apiKeyId))!);
        }
        if (Date.now() - r.updatedAt.getTime() > DROPPED_AFTER_MS) {
          await this.repo.dropped(r.id); // not seen on chain long after its blockhash expired
          return presentVerification((await this.repo.byId(id, apiKeyId))!);
        }
      } catch (e) {
        if (!(e instanceof ChainUnavailableError)) throw e; // show the stored state
      }
    }
    return presentVerification(r);
  }

  private async settleFromChain(chain: ChainApi, id: string, signature: string): Promise<boolean> {
    const s = await chain.signatureState(signature);
    if (s.state === 'confirmed') await this.repo.settle(id, 'confirmed', s.slot);
    else if (s.state === 'failed')
      await this.repo.settle(id, 'failed', s.slot, `transaction failed: ${s.error}`);
    return s.state === 'confirmed' || s.state === 'failed';
  }

  private async process(
    chain: ChainApi,
    id: string,
    row: { trackId: bigint; scope: Buffer; nullifier: Buffer; root: Buffer },
    input: VerificationInput,
  ): Promise<void> {
    let valid: boolean;
    try {
      valid = await this.verifier.verify(input.proof, input.publicInputs);
    } catch {
      throw new ApiError(
        503,
        'unavailable',
        'the proof verifier is unavailable; retry with the same Idempotency-Key',
        { 'Retry-After': '2' },
      );
    }
    if (!valid) throw new ApiError(422, 'invalid_proof', 'the proof does not verify for these public inputs');
    if (
      row.trackId < 0n ||
      !(await this.repo.rootAcceptedAndRecent(row.trackId, row.root, this.recentRoots))
    ) {
      throw new ApiError(
        422,
        'root_not_accepted',
        `the root is not among the ${this.recentRoots} newest roots accepted on chain for this track`,
      );
    }
    if (await this.repo.nullifierUsed(row.nullifier, id)) throw nullifierUsed();
    try {
      if (await chain.nullifierRecorded(row.trackId, row.nullifier)) throw nullifierUsed();
      const tx = await chain.prepareRecordVerification({
        trackId: row.trackId,
        scope: row.scope,
        nullifier: row.nullifier,
        root: row.root,
      });
      try {
        await this.repo.claimSubmitted(id, tx.signature);
      } catch (e) {
        if (e instanceof NullifierClaimedError) throw nullifierUsed();
        throw e;
      }
      await chain.send(tx.wire);
    } catch (e) {
      if (e instanceof ChainUnavailableError) {
        throw new ApiError(
          503,
          'unavailable',
          'the chain is unreachable; retry with the same Idempotency-Key',
          { 'Retry-After': '2' },
        );
      }
      if (e instanceof ChainRejectedError) {
        if (e.reason === 'NullifierUsed') throw nullifierUsed();
        if (e.reason === 'UnknownRoot') throw new ApiError(422, 'root_not_accepted', e.message);
        throw new ApiError(422, 'unprocessable', e.message);
      }
      throw e;
    }
  }
}

const nullifierUsed = () =>
  new ApiError(409, 'nullifier_used', 'this nullifier was already used for this track and scope');
