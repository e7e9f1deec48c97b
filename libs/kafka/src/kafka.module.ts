import { DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry } from '@rv/observability';
import { createIdempotentProducer, createKafka, KafkaSettings } from './create-kafka';
import { KafkaService } from './kafka.service';

@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KafkaService,
          inject: [HealthRegistry],
          useFactory: async (health: HealthRegistry) => {
            const kafka = createKafka(settings);
            const producer = createIdempotentProducer(kafka);
            const admin = kafka.admin();
            await Promise.all([producer.connect(), admin.connect()]);
            health.register({
              name: 'kafka',
              check: async () => {
                await admin.describeCluster();
              },
            });
            return new KafkaService(kafka, producer, admin);
          },
        },
      ],
      exports: [KafkaService],
    };
  }
}
