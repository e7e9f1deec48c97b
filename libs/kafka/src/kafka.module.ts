import { DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry, MetricsService } from '@rv/observability';
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
          inject: [HealthRegistry, MetricsService],
          useFactory: async (health: HealthRegistry, metrics: MetricsService) => {
            const kafka = createKafka(settings);
            const renewals = metrics.counter(
              'rv_kafka_producer_renewals_total',
              'idempotent producers replaced by one with a new producer id, by the broker error that required it',
              ['reason'],
            );
            const producer = createIdempotentProducer(kafka, {
              onRenewal: (reason) => renewals.inc({ reason }),
            });
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
