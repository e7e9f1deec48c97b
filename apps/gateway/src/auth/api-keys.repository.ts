import { DataSource } from 'typeorm';
import type { Scope } from './api-key';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  plan: string;
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  plan: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes as Scope[],
  plan: r.plan,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

const COLUMNS = 'id, name, prefix, scopes, plan, created_at, revoked_at';

/** api_keys table: stores only HMAC hashes of keys. */
export class ApiKeysRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(k: {
    id: string;
    name: string;
    hash: Buffer;
    prefix: string;
    scopes: Scope[];
    plan: string;
  }): Promise<ApiKeyRecord> {
    const rows: Row[] = await this.ds.query(
      `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, plan) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [k.id, k.name, k.hash, k.prefix, k.scopes, k.plan],
    );
    return toRecord(rows[0]!);
  }

  /** The key with this hash, revoked or not (uses the unique index on key_hash). */
  async findByHash(hash: Buffer): Promise<ApiKeyRecord | undefined> {
    const rows: Row[] = await this.ds.query(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [hash]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows: Row[] = await this.ds.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return rows.map(toRecord);
  }

  /** Revokes; returns false when no live key has this id (or prefix). */
  async revoke(idOrPrefix: string): Promise<boolean> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
    const rows: unknown[] = await this.ds.query(
      // (a CTE: TypeORM answers a bare UPDATE with [rows, count])
      `WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE ${isUuid ? 'id = $1::uuid' : 'prefix = $1'} AND revoked_at IS NULL RETURNING id)
       SELECT id FROM u`,
      [idOrPrefix],
    );
    return rows.length > 0;
  }
}
