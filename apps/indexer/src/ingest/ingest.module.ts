import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { ConfigService } from '@rv/config';
import { KafkaService } from '@rv/kafka';
import { HealthRegistry, MetricsService } from '@rv/observability';
import type { IndexerConfig } from '../indexer.config';
import { PG_POOL, pgPoolProvider } from '../shared/pg-pool';
import { indexerTopics } from '../shared/topics';
import { Ingest } from './ingest';
import { ingestMetrics } from './ingest-metrics';

/** Runs the Yellowstone ingest when the `ingest` role is enabled. */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnModuleDestroy {
  private ingest?: Ingest;

  constructor(
    private readonly config: ConfigService<IndexerConfig>,
    private readonly kafka: KafkaService,
    private readonly metrics: MetricsService,
    private readonly health: HealthRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('INDEXER_ROLES').includes('ingest')) return;
    const chainUpdates = this.config.get('CHAIN_UPDATES_TOPIC');
    await this.kafka.ensureTopics(
      indexerTopics({
        chainUpdates,
        leafChanges: this.config.get('LEAF_CHANGES_TOPIC'),
        partitions: this.config.get('TOPIC_PARTITIONS'),
      }),
    );
    const startSlot = this.config.get('INGEST_START_SLOT');
    const xToken = this.config.get('GEYSER_X_TOKEN');
    const caFile = this.config.get('GEYSER_CA_FILE');
    this.ingest = new Ingest({
      pool: this.pool,
      producer: this.kafka.producer,
      chainUpdatesTopic: chainUpdates,
      geyserEndpoint: this.config.get('GEYSER_ENDPOINT'),
      ...(xToken ? { xToken } : {}),
      ...(caFile ? { caFile } : {}),
      rpcUrl: this.config.get('SOLANA_RPC_URL'),
      transport: this.config.get('GEYSER_TRANSPORT'),
      name: this.config.get('INGEST_NAME'),
      ...(startSlot !== undefined ? { startSlot } : {}),
      maxBackoffMs: this.config.get('INGEST_MAX_BACKOFF_MS'),
      staleAfterMs: this.config.get('INGEST_STREAM_STALE_MS'),
      rescanSlots: this.config.get('INGEST_RESCAN_SLOTS'),
      metrics: ingestMetrics(this.metrics),
    });
    const ingest = this.ingest;
    // Non-critical (`degraded`, still ready): while the stream is down the ingest reconnects (and
    // backfills over RPC) by itself, the projector role keeps draining Kafka, and nothing already
    // published is at risk, so taking the process out of rotation or restarting it would not help.
    // The check says when the stream is down or silent and for how long; the slot-lag metric and
    // its alarm carry the urgency. Kafka and PostgreSQL stay critical (nothing can progress).
    this.health.register({
      name: 'yellowstone',
      critical: false,
      check: async () => {
        const h = ingest.streamHealth();
        if (h.problem) throw new Error(h.problem);
      },
    });
    await this.ingest.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ingest?.stop();
  }
}

@Module({ providers: [pgPoolProvider, IngestService] })
export class IngestModule {}
