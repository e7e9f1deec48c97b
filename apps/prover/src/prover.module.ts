import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@rv/config';
import { KafkaModule } from '@rv/kafka';
import { ObservabilityModule } from '@rv/observability';
import { JobsModule } from './jobs/jobs.module';
import { checkProverConfig, type ProverConfig } from './prover.config';
import { ProvingModule } from './proving/proving.module';

@Module({})
export class ProverModule {
  static forRoot(config: ConfigService<ProverConfig>): DynamicModule {
    checkProverConfig({
      NODE_ENV: config.get('NODE_ENV'),
      ALLOW_TEST_CRS: config.get('ALLOW_TEST_CRS'),
      PROVER_KAFKA_ENABLED: config.get('PROVER_KAFKA_ENABLED'),
      PROVER_JOB_KEY_FILE: config.get('PROVER_JOB_KEY_FILE'),
    });
    return {
      module: ProverModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'prover', logLevel: config.get('LOG_LEVEL') }),
        KafkaModule.forRoot({ brokers: config.get('KAFKA_BROKERS'), clientId: 'rv-prover' }),
        ProvingModule,
        JobsModule,
      ],
    };
  }
}
