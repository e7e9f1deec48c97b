import bs58 from 'bs58';
import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { chainUpdateCodec, chainUpdateKey, type ChainUpdate } from '@rv/events';
import type { IngestMetrics } from './ingest-metrics';

/**
 * Publishes normalized updates to rv.chain.updates.v1 in order (idempotent producer, acks=all),
 * and journals each record in indexer_published under its slot first, so that when the slot dies
 * the ingest knows exactly what to compensate, even after a restart.
 */
export class ChainPublisher {
  private buffer: ChainUpdate[] = [];
  published = 0;

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly metrics?: IngestMetrics,
    private readonly maxBuffer = 1000,
  ) {}

  private accounts = new Map<string, { wallet: string; mint: string }>();

  /** Token accounts to record in indexer_ingest_accounts with the next flush (one statement). */
  rememberAccount(tokenAccount: string, wallet: string, mint: string): void {
    this.accounts.set(tokenAccount, { wallet, mint });
  }

  async push(u: ChainUpdate): Promise<void> {
    this.buffer.push(u);
    if (this.buffer.length >= this.maxBuffer) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.accounts.size > 0) {
      const accounts = [...this.accounts];
      await this.pool.query(
        `INSERT INTO indexer_ingest_accounts (token_account, wallet, mint)
         SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[])
         ON CONFLICT (token_account) DO UPDATE SET wallet = EXCLUDED.wallet, mint = EXCLUDED.mint`,
        [
          accounts.map(([a]) => Buffer.from(bs58.decode(a))),
          accounts.map(([, v]) => Buffer.from(bs58.decode(v.wallet))),
          accounts.map(([, v]) => Buffer.from(bs58.decode(v.mint))),
        ],
      );
      this.accounts = new Map();
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const journaled = batch.filter((u) => u.type !== 'slot_status' && u.type !== 'event_reverted');
    const values = batch.map((u) => chainUpdateCodec.encode(u));
    if (journaled.length > 0) {
      await this.pool.query(
        `INSERT INTO indexer_published (slot, id, record)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[]) ON CONFLICT (slot, id) DO NOTHING`,
        [
          journaled.map((u) => u.slot),
          journaled.map((u) => u.id),
          journaled.map((u) => chainUpdateCodec.encode(u)),
        ],
      );
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: batch.map((u, i) => ({
        key: chainUpdateKey(u),
        value: values[i]!,
        headers: { 'rv-idempotency-key': u.id },
      })),
    });
    this.published += batch.length;
    for (const u of batch) this.metrics?.records.inc({ type: u.type });
  }
}
