import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { HealthRegistry } from '@rv/observability';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One ioredis client per app; reconnects by itself; /health/ready pings it. */
@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            const redis = new Redis(url, {
              maxRetriesPerRequest: 2,
              enableOfflineQueue: false,
              lazyConnect: false,
            });
            redis.on('error', () => undefined); // reconnects by itself; readiness reports the outage
            health.register({
              name: 'redis',
              check: async () => {
                if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
              },
            });
            return redis;
          },
        },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
