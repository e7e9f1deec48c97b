import { Logger } from '@nestjs/common';
import type { IHeaders, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';

export interface OutboxRecord {
  topic: string;
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** Writes records to the transactional outbox inside the caller's open transaction (one statement). */
export async function enqueueOutbox(client: PoolClient, records: readonly OutboxRecord[]): Promise<void> {
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO indexer_outbox (topic, key, value, headers)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[])`,
    [
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => r.value),
      records.map((r) => (r.headers ? JSON.stringify(r.headers) : null)),
    ],
  );
}

/**
 * The PostgreSQL advisory lock that makes one relay the only publisher of the outbox: (class, hash
 * of the schema), so pipelines in different schemas of one database do not block each other.
 */
const RELAY_LOCK_SQL = `hashtext('rv-outbox-relay'), hashtext(current_schema())`;

/**
 * Publishes the outbox in id order and marks rows sent. Only one relay publishes at a time (a
 * session advisory lock held on a dedicated connection), so the topic sees the outbox order, which
 * is the projector's commit order. A crash between the Kafka ack and the UPDATE republishes those
 * rows once more: consumers dedupe by the per-track change seq each record carries.
 */
export class OutboxRelay {
  private readonly log = new Logger('outbox-relay');
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private lockClient?: PoolClient;
  sent = 0;

  constructor(
    private readonly pool: Pool,
    /**
     * From createIdempotentProducer (@rv/kafka): it goes on with a new producer id when the broker
     * lost in-flight records in a crash (OUT_OF_ORDER_SEQUENCE_NUMBER), so a send here does not fail
     * forever. Rows stay unsent until a send is acknowledged, so nothing is lost.
     */
    private readonly producer: Producer,
    private readonly opts: {
      batch?: number;
      idleMs?: number;
      keepSentMs?: number;
      onSent?: (n: number) => void;
    } = {},
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Something was committed: publish now instead of at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    let lastPrune = 0;
    while (this.running) {
      try {
        if (!this.lockClient) {
          const c = await this.pool.connect();
          const { rows } = await c.query<{ ok: boolean }>(
            `SELECT pg_try_advisory_lock(${RELAY_LOCK_SQL}) AS ok`,
          );
          if (!rows[0]?.ok) {
            c.release();
            await this.sleep(1000);
            continue;
          }
          c.on('error', () => undefined);
          this.lockClient = c;
        }
        const n = await this.publishOnce();
        if (Date.now() - lastPrune > 10_000) {
          lastPrune = Date.now();
          await this.pool.query(
            `DELETE FROM indexer_outbox WHERE sent_at < now() - ($1::int * interval '1 millisecond')`,
            [this.opts.keepSentMs ?? 600_000],
          );
        }
        if (n === 0) await this.sleep(this.opts.idleMs ?? 200);
      } catch (e) {
        this.log.error(`outbox relay: ${e instanceof Error ? e.message : String(e)}; retrying`);
        this.lockClient?.release(true);
        this.lockClient = undefined;
        await this.sleep(500);
      }
    }
    if (this.lockClient) {
      await this.lockClient.query(`SELECT pg_advisory_unlock(${RELAY_LOCK_SQL})`).catch(() => undefined);
      this.lockClient.release();
      this.lockClient = undefined;
    }
  }

  /** Publishes up to one batch of unsent rows; returns how many. */
  async publishOnce(): Promise<number> {
    const { rows } = await this.pool.query<{
      id: string;
      topic: string;
      key: string | null;
      value: Buffer;
      headers: Record<string, string> | null;
    }>(
      `SELECT o.id::text AS id, o.topic, o.key, o.value, o.headers FROM indexer_outbox o WHERE o.sent_at IS NULL ORDER BY o.id LIMIT $1`,
      [this.opts.batch ?? 2000],
    );
    if (rows.length === 0) return 0;
    // Group consecutive rows by topic, keeping order within each topic.
    const byTopic = new Map<string, { key: string | null; value: Buffer; headers?: IHeaders }[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) });
      byTopic.set(r.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    await this.pool.query(`UPDATE indexer_outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
      rows.map((r) => r.id),
    ]);
    this.sent += rows.length;
    this.opts.onSent?.(rows.length);
    return rows.length;
  }
}
