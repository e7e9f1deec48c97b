import { DynamicModule, Logger, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ConfigModule, ConfigService } from '@rv/config';
import { DbModule } from '@rv/db';
import { ObservabilityModule } from '@rv/observability';
import { REDIS, RedisModule } from '@rv/redis';
import { AnalyticsController } from './analytics/analytics.controller';
import { VerificationAnalytics } from './analytics/verification-analytics';
import { ApiKeyAuth } from './auth/api-key-auth';
import { ApiKeysRepository } from './auth/api-keys.repository';
import { MeController } from './auth/me.controller';
import { PartnerGuard } from './auth/partner.guard';
import { loadPepper, type GatewayConfig } from './gateway.config';
import { RateLimiter } from './limits/rate-limiter';
import { HttpProverClient } from './proofs/prover.client';
import { ProofJobs } from './proofs/proof-jobs';
import { ProofsController } from './proofs/proofs.controller';
import { PROVER_API } from './tokens';
import { LocalZkVerifier, ProverHttpVerifier, type ProofVerifier } from './verifications/proof-verifier';
import { SolanaChain } from './verifications/solana-chain';
import { VerificationRequestsRepository } from './verifications/verification-requests.repository';
import { VerificationsController } from './verifications/verifications.controller';
import { loadVerifierKeypair } from './verifications/verifier-keypair';
import { VerifyOwnership } from './verifications/verify-ownership';
import { ReadsController } from './reads/reads.controller';
import { ReadTracks } from './reads/read-tracks';
import { HttpRegistryClient } from './reads/registry.client';

/** Frees the in-process verifier (bb.js) on shutdown. */
class VerifierLifecycle implements OnApplicationShutdown {
  constructor(private readonly verifier: ProofVerifier) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.verifier instanceof LocalZkVerifier) await this.verifier.close();
  }
}

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigService<GatewayConfig>): DynamicModule {
    const pepper = loadPepper({
      API_KEY_PEPPER_FILE: config.get('API_KEY_PEPPER_FILE'),
      API_KEY_PEPPER: config.get('API_KEY_PEPPER'),
      NODE_ENV: config.get('NODE_ENV'),
    });
    if (config.get('API_KEY_PEPPER_FILE') === undefined && config.get('API_KEY_PEPPER') === undefined) {
      new Logger('Gateway').warn(
        'no API_KEY_PEPPER_FILE: using the public development pepper (refused in production)',
      );
    }
    const keypairFile = config.get('VERIFIER_KEYPAIR_FILE');
    const chain = keypairFile
      ? new SolanaChain(
          config.get('SOLANA_RPC_URL'),
          loadVerifierKeypair(keypairFile),
          config.get('CHAIN_TIMEOUT_MS'),
        )
      : undefined;
    const prover = new HttpProverClient(config.get('PROVER_URL'), config.get('PROVER_TIMEOUT_MS'));
    const verifier: ProofVerifier =
      config.get('PROOF_VERIFIER') === 'prover'
        ? new ProverHttpVerifier(prover)
        : new LocalZkVerifier({
            crsPath: config.get('CRS_PATH'),
            allowTestCrs: config.get('ALLOW_TEST_CRS'),
            production: config.get('NODE_ENV') === 'production',
          });
    const providers: Provider[] = [
      {
        provide: ApiKeysRepository,
        inject: [DataSource],
        useFactory: (ds: DataSource) => new ApiKeysRepository(ds),
      },
      {
        provide: ApiKeyAuth,
        inject: [ApiKeysRepository],
        useFactory: (repo: ApiKeysRepository) => new ApiKeyAuth(repo, pepper, config.get('API_KEY_CACHE_MS')),
      },
      { provide: RateLimiter, inject: [REDIS], useFactory: (redis: Redis) => new RateLimiter(redis) },
      PartnerGuard,
      { provide: PROVER_API, useValue: prover },
      {
        provide: ProofJobs,
        inject: [REDIS],
        useFactory: (redis: Redis) =>
          new ProofJobs(prover, redis, {
            prefix: config.get('REDIS_PREFIX'),
            resultTtlS: 3600,
            pendingTtlMs: config.get('PROVER_TIMEOUT_MS') + 60_000,
            maxInFlight: 16,
          }),
      },
      {
        provide: VerificationRequestsRepository,
        inject: [DataSource],
        useFactory: (ds: DataSource) => new VerificationRequestsRepository(ds),
      },
      {
        provide: VerifyOwnership,
        inject: [VerificationRequestsRepository],
        useFactory: (repo: VerificationRequestsRepository) =>
          new VerifyOwnership(repo, verifier, () => chain, config.get('RECENT_ROOTS')),
      },
      {
        provide: VerificationAnalytics,
        inject: [DataSource],
        useFactory: (ds: DataSource) => new VerificationAnalytics(ds, config.get('ANALYTICS_K')),
      },
      { provide: VerifierLifecycle, useValue: new VerifierLifecycle(verifier) },
      {
        provide: ReadTracks,
        inject: [REDIS],
        useFactory: (redis: Redis) =>
          new ReadTracks(
            new HttpRegistryClient(config.get('REGISTRY_URL'), config.get('REGISTRY_TIMEOUT_MS')),
            redis,
            {
              prefix: config.get('REDIS_PREFIX'),
              headTtlMs: config.get('READ_HEAD_TTL_MS'),
              seqTtlS: config.get('READ_CACHE_TTL_S'),
              memoryBytes: config.get('READ_MEMORY_CACHE_MB') * 1024 * 1024,
            },
          ),
      },
    ];
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'gateway', logLevel: config.get('LOG_LEVEL') }),
        DbModule.forRoot({
          url: config.get('DATABASE_URL'),
          schema: config.get('DATABASE_SCHEMA'),
          applicationName: 'rv-gateway',
        }),
        RedisModule.forRoot(config.get('REDIS_URL')),
      ],
      controllers: [
        MeController,
        ReadsController,
        ProofsController,
        VerificationsController,
        AnalyticsController,
      ],
      providers,
    };
  }
}
