import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@rv/config';
import { DbModule } from '@rv/db';
import { ObservabilityModule } from '@rv/observability';
import { RedisModule } from '@rv/redis';
import type { GatewayConfig } from './gateway.config';

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigService<GatewayConfig>): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'gateway', logLevel: config.get('LOG_LEVEL') }),
        DbModule.forRoot({ url: config.get('DATABASE_URL'), schema: config.get('DATABASE_SCHEMA'), applicationName: 'rv-gateway' }),
        RedisModule.forRoot(config.get('REDIS_URL')),
      ],
    };
  }
}
