import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { ConfigService } from '@rv/config';
import { KafkaService } from '@rv/kafka';
import { MetricsService } from '@rv/observability';
import type { IndexerConfig } from '../indexer.config';
import { PG_POOL, pgPoolProvider } from '../shared/pg-pool';
import { indexerTopics } from '../shared/topics';
import { Projector } from './projector';
import { projectorMetrics } from './projector-metrics';

/** Runs the projector (consumer group + outbox relay) when the `projector` role is enabled. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnModuleDestroy {
  private projector?: Projector;

  constructor(
    private readonly config: ConfigService<IndexerConfig>,
    private readonly kafka: KafkaService,
    private readonly metrics: MetricsService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('INDEXER_ROLES').includes('projector')) return;
    const topics = {
      chainUpdates: this.config.get('CHAIN_UPDATES_TOPIC'),
      leafChanges: this.config.get('LEAF_CHANGES_TOPIC'),
    };
    await this.kafka.ensureTopics(
      indexerTopics({ ...topics, partitions: this.config.get('TOPIC_PARTITIONS') }),
    );
    this.projector = new Projector({
      kafka: this.kafka.kafka,
      producer: this.kafka.producer,
      pool: this.pool,
      groupId: this.config.get('PROJECTOR_GROUP'),
      topics,
      metrics: projectorMetrics(this.metrics),
    });
    await this.projector.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.projector?.stop();
  }
}

@Module({ providers: [pgPoolProvider, ProjectorService] })
export class ProjectorModule {}
