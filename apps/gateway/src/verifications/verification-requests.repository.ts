import { DataSource } from 'typeorm';

export type RequestStatus = 'processing' | 'submitted' | 'confirmed' | 'failed' | 'rejected' | 'retryable';

export interface VerificationRequest {
  id: string;
  apiKeyId: string;
  idempotencyKey: string;
  requestHash: Buffer;
  status: RequestStatus;
  trackId: bigint;
  scope: Buffer;
  nullifier: Buffer;
  root: Buffer;
  signature: string | null;
  slot: number | null;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  /** Last state change (for 'submitted': when the transaction was signed and sent). */
  updatedAt: Date;
}

interface Row {
  id: string;
  api_key_id: string;
  idempotency_key: string;
  request_hash: Buffer;
  status: RequestStatus;
  track_id: string;
  scope: Buffer;
  nullifier: Buffer;
  root: Buffer;
  signature: string | null;
  slot: string | null;
  http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
}

const toRequest = (r: Row): VerificationRequest => ({
  id: r.id,
  apiKeyId: r.api_key_id,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  status: r.status,
  trackId: BigInt(r.track_id),
  scope: r.scope,
  nullifier: r.nullifier,
  root: r.root,
  signature: r.signature,
  slot: r.slot === null ? null : Number(r.slot),
  httpStatus: r.http_status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Another live request (or the indexer) already holds this nullifier. */
export class NullifierClaimedError extends Error {
  override readonly name = 'NullifierClaimedError';
}

/**
 * gateway_verification_requests plus the read-only checks verifications need from the indexer's
 * tables (merkle_roots accepted flag, nullifiers). Indexes: (api_key_id, idempotency_key)
 * unique; id primary key; live-nullifier partial unique index; merkle_roots primary key
 * (track_id, seq); nullifiers primary key (hash).
 */
export class VerificationRequestsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Inserts a new request as 'processing'; false when (key, Idempotency-Key) already exists. */
  async insert(r: {
    id: string;
    apiKeyId: string;
    idempotencyKey: string;
    requestHash: Buffer;
    trackId: bigint;
    scope: Buffer;
    nullifier: Buffer;
    root: Buffer;
  }): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO gateway_verification_requests (id, api_key_id, idempotency_key, request_hash, status, track_id, scope, nullifier, root)
       VALUES ($1, $2, $3, $4, 'processing', $5, $6, $7, $8)
       ON CONFLICT (api_key_id, idempotency_key) DO NOTHING RETURNING id`,
      [r.id, r.apiKeyId, r.idempotencyKey, r.requestHash, r.trackId.toString(), r.scope, r.nullifier, r.root],
    );
    return rows.length === 1;
  }

  async byIdempotencyKey(apiKeyId: string, idempotencyKey: string): Promise<VerificationRequest | undefined> {
    const rows: Row[] = await this.ds.query(
      `SELECT * FROM gateway_verification_requests WHERE api_key_id = $1 AND idempotency_key = $2`,
      [apiKeyId, idempotencyKey],
    );
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  async byId(id: string, apiKeyId: string): Promise<VerificationRequest | undefined> {
    const rows: Row[] = await this.ds.query(
      `SELECT * FROM gateway_verification_requests WHERE id = $1 AND api_key_id = $2`,
      [id, apiKeyId],
    );
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  /**
   * A retry takes over a request that failed transiently, or one left 'processing' for longer
   * than `staleMs` (its gateway died mid-request); false if another retry got it first.
   */
  takeOver(id: string, staleMs: number): Promise<boolean> {
    return this.update(
      `status = 'processing'`,
      `id = $1 AND (status = 'retryable' OR (status = 'processing' AND updated_at < now() - make_interval(secs => $2)))`,
      [id, staleMs / 1000],
    );
  }

  /** A submitted transaction the chain never saw (dropped, blockhash expired): a retry may resubmit. */
  async dropped(id: string): Promise<void> {
    await this.update(
      `status = 'retryable', error_code = 'dropped', error_message = 'the transaction was not seen on chain; POST again with the same Idempotency-Key to resubmit'`,
      `id = $1 AND status = 'submitted'`,
      [id],
    );
  }

  async reject(id: string, httpStatus: number, code: string, message: string): Promise<void> {
    await this.update(
      `status = 'rejected', http_status = $2, error_code = $3, error_message = $4`,
      `id = $1`,
      [id, httpStatus, code, message],
    );
  }

  async retryable(id: string): Promise<void> {
    await this.update(`status = 'retryable'`, `id = $1 AND status IN ('processing', 'submitted')`, [id]);
  }

  /** Clears a stale 'dropped' note once a resubmission is under way. */
  async clearError(id: string): Promise<void> {
    await this.update(`error_code = NULL, error_message = NULL`, `id = $1`, [id]);
  }

  /** Marks submitted with the transaction's signature; the live-nullifier index makes it exclusive. */
  async claimSubmitted(id: string, signature: string): Promise<void> {
    try {
      await this.update(`status = 'submitted', signature = $2`, `id = $1`, [id, signature]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        throw new NullifierClaimedError('nullifier already submitted by another request');
      throw e;
    }
  }

  async settle(id: string, status: 'confirmed' | 'failed', slot: number, error?: string): Promise<void> {
    await this.update(
      `status = $2, slot = $3, error_code = $4, error_message = $5`,
      `id = $1 AND status IN ('submitted', 'retryable')`,
      [id, status, slot, error ? 'chain_error' : null, error ?? null],
    );
  }

  /** Recorded by the indexer (nullifiers) or held by another live gateway request. */
  async nullifierUsed(nullifier: Buffer, exceptId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM nullifiers WHERE hash = $1
       UNION ALL
       SELECT 1 FROM gateway_verification_requests WHERE nullifier = $1 AND status IN ('submitted', 'confirmed') AND id <> $2
       LIMIT 1`,
      [nullifier, exceptId],
    );
    return rows.length > 0;
  }

  /** Is `root` among the `recent` newest roots of the track that the chain accepted? */
  async rootAcceptedAndRecent(trackId: bigint, root: Buffer, recent: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM (SELECT root FROM merkle_roots WHERE track_id = $1 AND accepted ORDER BY seq DESC LIMIT $3) r WHERE r.root = $2`,
      [trackId.toString(), root, recent],
    );
    return rows.length > 0;
  }

  private async update(set: string, where: string, params: unknown[]): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `WITH u AS (UPDATE gateway_verification_requests SET ${set}, updated_at = now() WHERE ${where} RETURNING id) SELECT id FROM u`,
      params,
    );
    return rows.length > 0;
  }
}
