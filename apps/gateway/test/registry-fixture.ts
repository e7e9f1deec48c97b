import { Pool } from 'pg';
import { spawnApp, testEnv, type SpawnedApp } from '@rv/testing';
// Test-only: seeds trees with the registry's own tree writer (no Kafka needed).
import { ApplyLeafChanges } from '../../registry/src/trees/apply-leaf-changes';

/** The real apps/registry as a process over a spec's schema, plus its tree writer to seed data. */
export class RegistryFixture {
  private constructor(
    readonly app: SpawnedApp,
    readonly url: string,
    readonly pool: Pool,
    readonly writer: ApplyLeafChanges,
    private readonly schema: string,
  ) {}

  static async start(schema: string, depth = 20): Promise<RegistryFixture> {
    const app = spawnApp('registry', {
      DATABASE_URL: testEnv().DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
      PORT: '0',
      LOG_LEVEL: 'info', // the 'listening on' line is info
      DEFAULT_TREE_DEPTH: String(depth),
      // The fixture seeds trees itself (append below): no Kafka tree writer, which would otherwise
      // consume whatever other specs left on the default leaf-changes topic into this schema.
      TREE_WRITER_ENABLED: 'false',
    });
    let url: string;
    try {
      url = (await app.listening(60_000)).replace('[::1]', '127.0.0.1');
    } catch (e) {
      app.proc.kill('SIGKILL');
      throw e;
    }
    const pool = new Pool({
      connectionString: testEnv().DATABASE_URL,
      options: `-c search_path=${schema}`,
      max: 2,
    });
    return new RegistryFixture(app, url, pool, new ApplyLeafChanges(pool, depth), schema);
  }

  /** Appends leaves as batch `seq` of track `trackId`. */
  async append(trackId: bigint, seq: number, leaves: bigint[], depth?: number): Promise<void> {
    await this.writer.apply({
      trackId,
      seq,
      slot: seq * 10,
      changes: leaves.map((leaf) => ({ type: 'append' as const, leaf })),
      depth,
    });
  }

  /** What the indexer does when it sees MerkleRootUpdated for (track, seq). */
  async accept(trackId: bigint, seq: number): Promise<void> {
    await this.pool.query(
      `UPDATE "${this.schema}".merkle_roots SET accepted = true, accepted_slot = $3 WHERE track_id = $1 AND seq = $2`,
      [trackId.toString(), seq, seq * 10 + 1],
    );
  }

  async stop(): Promise<void> {
    this.app.proc.kill('SIGTERM');
    await this.app.exited;
    await this.pool.end();
  }
}
