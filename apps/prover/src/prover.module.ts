import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@rv/config';
import { KafkaModule } from '@rv/kafka';
import { ObservabilityModule } from '@rv/observability';
import type { ProverConfig } from './prover.config';

@Module({})
export class ProverModule {
  static forRoot(config: ConfigService<ProverConfig>): DynamicModule {
    return {
      module: ProverModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'prover', logLevel: config.get('LOG_LEVEL') }),
        KafkaModule.forRoot({ brokers: config.get('KAFKA_BROKERS'), clientId: 'rv-prover' }),
      ],
    };
  }
}
