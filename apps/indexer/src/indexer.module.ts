import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@rv/config';
import { DbModule } from '@rv/db';
import { KafkaModule } from '@rv/kafka';
import { ObservabilityModule } from '@rv/observability';
import type { IndexerConfig } from './indexer.config';
import { IngestModule } from './ingest/ingest.module';
import { ProjectorModule } from './projector/projector.module';

@Module({})
export class IndexerModule {
  static forRoot(config: ConfigService<IndexerConfig>): DynamicModule {
    return {
      module: IndexerModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'indexer', logLevel: config.get('LOG_LEVEL') }),
        DbModule.forRoot({
          url: config.get('DATABASE_URL'),
          schema: config.get('DATABASE_SCHEMA'),
          applicationName: 'rv-indexer',
        }),
        KafkaModule.forRoot({ brokers: config.get('KAFKA_BROKERS'), clientId: 'rv-indexer' }),
        ProjectorModule,
        IngestModule,
      ],
    };
  }
}
