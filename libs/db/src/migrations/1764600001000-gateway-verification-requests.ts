import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gateway: verification requests, one per (API key, Idempotency-Key). A retry with the same key
 * finds its row (unique index) and never records twice. At most one live request per nullifier
 * may be submitted or confirmed (partial unique index), so two partners racing with the same
 * proof cannot both submit. GET /v1/verifications/:id reads by primary key.
 */
export class GatewayVerificationRequests1764600001000 implements MigrationInterface {
  name = 'GatewayVerificationRequests1764600001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_verification_requests (
        id              UUID PRIMARY KEY,
        api_key_id      UUID NOT NULL REFERENCES api_keys(id),
        idempotency_key TEXT NOT NULL,
        request_hash    BYTEA NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('processing', 'submitted', 'confirmed', 'failed', 'rejected', 'retryable')),
        track_id        BIGINT NOT NULL,
        scope           BYTEA NOT NULL,
        nullifier       BYTEA NOT NULL,
        root            BYTEA NOT NULL,
        signature       TEXT,
        slot            BIGINT,
        http_status     INTEGER,
        error_code      TEXT,
        error_message   TEXT,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (api_key_id, idempotency_key)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX gateway_verification_requests_live_nullifier_idx
        ON gateway_verification_requests (nullifier) WHERE status IN ('submitted', 'confirmed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS gateway_verification_requests`);
  }
}
