import { DynamicModule, Module, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ConfigModule, ConfigService } from '@rv/config';
import { DbModule } from '@rv/db';
import { ObservabilityModule } from '@rv/observability';
import { REDIS, RedisModule } from '@rv/redis';
import { ApiKeyAuth } from './auth/api-key-auth';
import { ApiKeysRepository } from './auth/api-keys.repository';
import { MeController } from './auth/me.controller';
import { PartnerGuard } from './auth/partner.guard';
import { loadPepper, type GatewayConfig } from './gateway.config';
import { RateLimiter } from './limits/rate-limiter';
import { HttpProverClient } from './proofs/prover.client';
import { ProofsController } from './proofs/proofs.controller';
import { PROVER_API } from './tokens';
import { ReadsController } from './reads/reads.controller';
import { ReadTracks } from './reads/read-tracks';
import { HttpRegistryClient } from './reads/registry.client';

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigService<GatewayConfig>): DynamicModule {
    const pepper = loadPepper({ API_KEY_PEPPER_FILE: config.get('API_KEY_PEPPER_FILE'), API_KEY_PEPPER: config.get('API_KEY_PEPPER') });
    const providers: Provider[] = [
      { provide: ApiKeysRepository, inject: [DataSource], useFactory: (ds: DataSource) => new ApiKeysRepository(ds) },
      {
        provide: ApiKeyAuth,
        inject: [ApiKeysRepository],
        useFactory: (repo: ApiKeysRepository) => new ApiKeyAuth(repo, pepper, config.get('API_KEY_CACHE_MS')),
      },
      { provide: RateLimiter, inject: [REDIS], useFactory: (redis: Redis) => new RateLimiter(redis) },
      PartnerGuard,
      { provide: PROVER_API, useValue: new HttpProverClient(config.get('PROVER_URL'), config.get('PROVER_TIMEOUT_MS')) },
      {
        provide: ReadTracks,
        inject: [REDIS],
        useFactory: (redis: Redis) =>
          new ReadTracks(new HttpRegistryClient(config.get('REGISTRY_URL'), config.get('REGISTRY_TIMEOUT_MS')), redis, {
            prefix: config.get('REDIS_PREFIX'),
            headTtlMs: config.get('READ_HEAD_TTL_MS'),
            seqTtlS: config.get('READ_CACHE_TTL_S'),
          }),
      },
    ];
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'gateway', logLevel: config.get('LOG_LEVEL') }),
        DbModule.forRoot({ url: config.get('DATABASE_URL'), schema: config.get('DATABASE_SCHEMA'), applicationName: 'rv-gateway' }),
        RedisModule.forRoot(config.get('REDIS_URL')),
      ],
      controllers: [MeController, ReadsController, ProofsController],
      providers,
    };
  }
}
