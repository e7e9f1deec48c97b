import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@rv/config';
import { DbModule } from '@rv/db';
import { KafkaModule } from '@rv/kafka';
import { ObservabilityModule } from '@rv/observability';
import type { RegistryConfig } from './registry.config';
import { RootPublisherModule } from './root-publisher/root-publisher.module';
import { TreesModule } from './trees/trees.module';

@Module({})
export class RegistryModule {
  static forRoot(config: ConfigService<RegistryConfig>): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'registry', logLevel: config.get('LOG_LEVEL') }),
        DbModule.forRoot({
          url: config.get('DATABASE_URL'),
          schema: config.get('DATABASE_SCHEMA'),
          applicationName: 'rv-registry',
        }),
        KafkaModule.forRoot({ brokers: config.get('KAFKA_BROKERS'), clientId: 'rv-registry' }),
        TreesModule,
        RootPublisherModule,
      ],
    };
  }
}
