import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gateway: partner API keys. Only an HMAC-SHA256 of the key (with a server-side pepper) is kept;
 * the key itself is shown once by the CLI. Authentication looks a key up by its hash
 * (api_keys_key_hash_key, unique); the CLI lists keys in creation order (api_keys_created_idx).
 */
export class GatewayApiKeys1764600000000 implements MigrationInterface {
  name = 'GatewayApiKeys1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id           UUID PRIMARY KEY,
        name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        key_hash     BYTEA NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
        prefix       TEXT NOT NULL,
        scopes       TEXT[] NOT NULL,
        plan         TEXT NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        revoked_at   TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX api_keys_created_idx ON api_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
