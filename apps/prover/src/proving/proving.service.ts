import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@rv/config';
import { HealthRegistry, MetricsService } from '@rv/observability';
import {
  ConstraintError,
  OwnershipProver,
  ZkInputError,
  artifactDepth,
  ownershipArtifact,
  type OwnershipPublicInputs,
} from '@rv/zk';
import type { ProverConfig } from '../prover.config';
import { PathUnavailableError, RegistryClient, RegistryUnavailableError } from '../registry/registry-client';
import { defaultBbThreads } from './bb-threads';
import { DeadlineExceededError, ProofPool, QueueFullError, type PoolProof } from './proof-pool';
import { BadRequestInput, type ProofRequest } from './proof-request';
import { ProverMetrics, type FailureReason } from './prover-metrics';

export type ProofSource = 'http' | 'kafka';

/** Failure reason of an error thrown by `prove`, for metrics and job results. */
export function failureReason(e: unknown): FailureReason {
  if (e instanceof ConstraintError) return e.reason;
  if (e instanceof BadRequestInput || e instanceof ZkInputError) return 'bad_request';
  if (e instanceof QueueFullError) return 'queue_full';
  if (e instanceof DeadlineExceededError) return 'deadline';
  if (e instanceof PathUnavailableError) return 'path_unavailable';
  if (e instanceof RegistryUnavailableError) return 'registry_unavailable';
  return 'internal';
}

/**
 * Owns the proving worker pool (warmed at start), a verifier in this thread and the registry
 * client. Secrets only pass through: never logged, cached or stored.
 */
@Injectable()
export class ProvingService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('ProvingService');
  readonly depth = artifactDepth(ownershipArtifact);
  readonly metrics: ProverMetrics;
  private readonly pool: ProofPool;
  private readonly registry: RegistryClient;
  private verifier?: OwnershipProver;

  constructor(
    private readonly config: ConfigService<ProverConfig>,
    metricsService: MetricsService,
    private readonly health: HealthRegistry,
  ) {
    this.metrics = new ProverMetrics(metricsService);
    const crsPath = config.get('CRS_PATH');
    this.pool = new ProofPool({
      size: config.get('PROVER_WORKERS'),
      maxQueue: config.get('PROVER_MAX_QUEUE'),
      zk: {
        crsPath,
        allowTestCrs: config.get('ALLOW_TEST_CRS'),
        production: config.get('NODE_ENV') === 'production',
        // A configured CRS folder is pre-provisioned; without one bb.js may fetch Ignition's.
        allowCrsDownload: crsPath === undefined,
        threads: config.get('PROVER_BB_THREADS') ?? defaultBbThreads(config.get('PROVER_WORKERS')),
      },
      observer: {
        queueDepth: (d) => this.metrics.queueDepth.set(d),
        busyWorkers: (busy, size) => {
          this.metrics.busyWorkers.set(busy);
          this.metrics.workers.set(size);
        },
      },
    });
    this.registry = new RegistryClient(config.get('REGISTRY_URL'), config.get('REGISTRY_TIMEOUT_MS'));
  }

  async onModuleInit(): Promise<void> {
    const t0 = Date.now();
    // The verifier first: it runs the CRS guard once before any worker starts.
    this.verifier = await OwnershipProver.create({
      crsPath: this.config.get('CRS_PATH'),
      allowTestCrs: this.config.get('ALLOW_TEST_CRS'),
      production: this.config.get('NODE_ENV') === 'production',
      allowCrsDownload: this.config.get('CRS_PATH') === undefined,
    });
    await this.pool.start();
    this.health.register({
      name: 'prover-pool',
      check: async () => {
        if (this.pool.running === 0) throw new Error('no proving worker is running');
      },
    });
    this.log.log(
      `${this.pool.size} proving worker(s) warmed in ${Date.now() - t0} ms; CRS ${this.verifier.crsKind}; vk sha256 ${this.verifier.verificationKeyHash()}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
    await this.verifier?.destroy();
  }

  private get zk(): OwnershipProver {
    if (!this.verifier) throw new Error('prover not started');
    return this.verifier;
  }

  /** Proves; throws BadRequestInput/ZkInputError, ConstraintError, QueueFullError, DeadlineExceededError, registry errors. */
  async prove(req: ProofRequest, deadlineAt: number, source: ProofSource): Promise<PoolProof> {
    try {
      const siblings =
        req.siblings ?? (await this.registry.path(req.trackId, req.leafIndex, req.root, this.depth)).siblings;
      if (Date.now() >= deadlineAt) throw new DeadlineExceededError('queued');
      const result = await this.pool.prove({ ...req, siblings }, deadlineAt);
      this.metrics.proofDuration.observe({ source }, (result.witnessMs + result.proveMs) / 1000);
      this.metrics.witnessDuration.observe(result.witnessMs / 1000);
      this.metrics.queueWait.observe(result.queuedMs / 1000);
      this.metrics.proofs.inc({ source });
      return result;
    } catch (e) {
      this.metrics.failures.inc({ reason: failureReason(e), source });
      throw e;
    }
  }

  async verify(proof: Uint8Array, publicInputs: OwnershipPublicInputs): Promise<boolean> {
    const t0 = performance.now();
    const valid = await this.zk.verify(proof, publicInputs);
    this.metrics.verifyDuration.observe({ valid: String(valid) }, (performance.now() - t0) / 1000);
    return valid;
  }

  verificationKey(): { key: Uint8Array; hash: string; crs: string } {
    return { key: this.zk.verificationKey(), hash: this.zk.verificationKeyHash(), crs: this.zk.crsKind };
  }

  retryAfterSeconds(): number {
    return this.pool.retryAfterSeconds();
  }
}
