import { Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Keypair } from '@solana/web3.js';
import { parseKeypairJson } from '@rv/chain';
import { ConfigError, ConfigService, readSecretFile } from '@rv/config';
import { KafkaService, dlqTopicOf } from '@rv/kafka';
import { HealthRegistry, MetricsService } from '@rv/observability';
import type { RegistryConfig } from '../registry.config';
import { PublishRoots } from './publish-roots';
import { rootPublisherOptionsFrom, type RootPublisherOptions } from './root-publisher.config';
import { RootPublisherConsumer } from './root-publisher.consumer';
import { SolanaRootChain } from './solana-root-chain';

const OPTIONS = Symbol('ROOT_PUBLISHER_OPTIONS');
/** Partitions of rv.registry.roots.v1 when the publisher is the first to need it (the tree writer's default). */
const ROOTS_TOPIC_PARTITIONS = 6;

/**
 * Runs the root publisher (consumer group ROOT_PUBLISHER_GROUP of rv.registry.roots.v1) when it is
 * enabled: loads the root authority keypair (never logged; only its public key is), registers the
 * `solana` readiness check, and starts consuming. Stopped by KafkaService on shutdown.
 */
@Injectable()
export class RootPublisherService implements OnApplicationBootstrap {
  private readonly log = new Logger('root-publisher');

  constructor(
    @Inject(OPTIONS) private readonly opts: RootPublisherOptions,
    private readonly kafka: KafkaService,
    private readonly metrics: MetricsService,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const o = this.opts;
    if (!o.enabled) {
      this.log.log('root publisher disabled (set ROOT_AUTHORITY_KEYPAIR_FILE to enable it)');
      return;
    }
    let authority: Keypair;
    try {
      const bytes = readSecretFile(o.keypairFile!, 'keypair file');
      const parsed = parseKeypairJson(bytes);
      bytes.fill(0);
      if (!parsed.ok) throw new Error(`keypair file ${o.keypairFile}: ${parsed.error.message}`);
      authority = parsed.value;
    } catch (e) {
      // The loader's messages name the file and the problem, never its content.
      throw new ConfigError(
        'ROOT_AUTHORITY_KEYPAIR_FILE',
        `a solana keypair file readable only by its owner (${(e as Error).message})`,
      );
    }
    const chain = new SolanaRootChain({
      rpcUrl: o.rpcUrl,
      authority,
      commitment: o.commitment,
      rpcTimeoutMs: o.rpcTimeoutMs,
      confirmTimeoutMs: o.confirmTimeoutMs,
      pollMs: o.pollMs,
    });
    // Non-critical: without the chain only root publishing waits; the registry keeps serving roots and paths.
    this.health.register({ name: 'solana', check: () => chain.checkReady(), critical: false });

    const m = this.metrics;
    const submitted = m.counter(
      'rv_root_publisher_roots_submitted_total',
      'update_root transactions that reached the commitment',
    );
    const skipped = m.counter('rv_root_publisher_roots_skipped_total', 'root records not sent, by reason', [
      'reason',
    ]);
    const failures = m.counter(
      'rv_root_publisher_failures_total',
      'failed batch attempts (retried, offsets not committed), by reason',
      ['reason'],
    );
    const dead = m.counter('rv_root_publisher_dead_letters_total', 'root records dead-lettered, by code', [
      'code',
    ]);
    const latency = m.histogram(
      'rv_root_publisher_submit_seconds',
      'update_root: build to commitment (or refusal)',
      ['outcome'],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    );

    const publisher = new PublishRoots(chain, {
      onSubmit: (s, outcome) => {
        latency.observe({ outcome }, s);
        if (outcome === 'landed') submitted.inc();
      },
    });
    const consumer = new RootPublisherConsumer(
      publisher,
      { send: (topic, messages) => this.kafka.send(topic, messages) },
      o.groupId,
      {
        onSkipped: (reason) => skipped.inc({ reason }),
        onFailure: (reason) => failures.inc({ reason }),
        onDeadLetter: (code) => dead.inc({ code }),
      },
    );
    await this.kafka.ensureTopics([
      { topic: o.topic, numPartitions: ROOTS_TOPIC_PARTITIONS },
      { topic: dlqTopicOf(o.topic), numPartitions: 1 },
    ]);
    await this.kafka.consume({
      groupId: o.groupId,
      topics: [o.topic],
      handleBatch: (batch) => consumer.handleBatch(batch),
      maxBackoffMs: o.maxBackoffMs,
    });
    this.log.log(
      `root publisher consuming ${o.topic} (group ${o.groupId}) as root authority ${authority.publicKey.toBase58()}, commitment ${o.commitment}`,
    );
  }
}

/** Import in RegistryModule: the root publisher (off unless ROOT_AUTHORITY_KEYPAIR_FILE is set). */
@Module({
  providers: [
    {
      provide: OPTIONS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<RegistryConfig>) =>
        rootPublisherOptionsFrom((key) => config.get(key)),
    },
    RootPublisherService,
  ],
})
export class RootPublisherModule {}
