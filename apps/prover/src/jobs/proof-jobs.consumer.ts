import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@rv/config';
import { KafkaService, dlqTopicOf, DLQ_HEADERS, type ConsumedMessage } from '@rv/kafka';
import type { ProverConfig } from '../prover.config';
import { BadRequestInput, parseProofRequest, publicInputsJson } from '../proving/proof-request';
import { ProvingService, failureReason } from '../proving/proving.service';

/** Failures that a retry can fix: the batch is retried (offsets not committed). */
const TRANSIENT = new Set(['queue_full', 'registry_unavailable', 'internal']);

/**
 * Kafka job interface: consumes `rv.prover.jobs.v1` (consumer group, so more prover instances
 * mean more throughput) and answers on `rv.prover.results.v1`, keyed by jobId. Job value: the
 * JSON body of POST /v1/proofs plus `jobId`. Result value: `{ jobId, status: "proved", proof,
 * publicInputs, verificationKeyHash }` or `{ jobId, status: "failed", reason, message }`.
 * At-least-once: a result may be published twice for one jobId; consumers dedupe by jobId.
 * The jobs topic carries identity secrets: it is created with a short retention.
 */
@Injectable()
export class ProofJobsConsumer implements OnApplicationBootstrap {
  private readonly log = new Logger('ProofJobsConsumer');

  constructor(
    private readonly kafka: KafkaService,
    private readonly proving: ProvingService,
    private readonly config: ConfigService<ProverConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('PROVER_KAFKA_ENABLED')) return;
    const jobs = this.config.get('PROVER_JOBS_TOPIC');
    const results = this.config.get('PROVER_RESULTS_TOPIC');
    await this.kafka.ensureTopics([
      { topic: jobs, numPartitions: 6, configs: { 'retention.ms': String(60 * 60 * 1000) } },
      { topic: dlqTopicOf(jobs), numPartitions: 1, configs: { 'retention.ms': String(60 * 60 * 1000) } },
      { topic: results, numPartitions: 6 },
    ]);
    await this.kafka.consume({
      groupId: this.config.get('PROVER_GROUP_ID'),
      topics: [jobs],
      handleBatch: (messages) => this.handleBatch(messages, results),
    });
    this.log.log(`consuming ${jobs} -> ${results}`);
  }

  private async handleBatch(messages: ConsumedMessage[], resultsTopic: string): Promise<void> {
    const width = Math.max(1, this.config.get('PROVER_WORKERS'));
    for (let i = 0; i < messages.length; i += width) {
      const chunk = messages.slice(i, i + width);
      const results = await Promise.all(chunk.map((m) => this.handle(m)));
      const out = results.filter((r): r is { key: string; value: string } => r !== null);
      if (out.length > 0) await this.kafka.send(resultsTopic, out);
    }
  }

  /** One job -> its result message, or null for a message without a usable jobId (dead-lettered). */
  private async handle(m: ConsumedMessage): Promise<{ key: string; value: string } | null> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(m.value?.toString('utf8') ?? '') as Record<string, unknown>;
    } catch {
      body = {};
    }
    const jobId = body.jobId;
    if (typeof jobId !== 'string' || !/^[\w.:-]{1,128}$/.test(jobId)) {
      // Never forward the payload (it may hold a secret); keep only where it came from.
      await this.kafka.send(dlqTopicOf(m.topic), [
        {
          key: m.key,
          value: null,
          headers: {
            [DLQ_HEADERS.reason]: 'proof job without a valid jobId (payload dropped)',
            [DLQ_HEADERS.sourceTopic]: m.topic,
            [DLQ_HEADERS.sourcePartition]: String(m.partition),
            [DLQ_HEADERS.sourceOffset]: m.offset,
          },
        },
      ]);
      this.log.warn(`dropped job ${m.topic}/${m.partition}@${m.offset}: no valid jobId`);
      return null;
    }
    const result = (value: object) => ({ key: jobId, value: JSON.stringify({ jobId, ...value }) });
    try {
      const req = parseProofRequest(body, this.proving.depth);
      const r = await this.proving.prove(req, Date.now() + this.config.get('PROVER_JOB_DEADLINE_MS'), 'kafka');
      return result({
        status: 'proved',
        proof: '0x' + Buffer.from(r.proof).toString('hex'),
        publicInputs: publicInputsJson(r.publicInputs),
        verificationKeyHash: this.proving.verificationKey().hash,
      });
    } catch (e) {
      const reason = failureReason(e);
      if (TRANSIENT.has(reason)) throw e;
      const message = e instanceof BadRequestInput || e instanceof Error ? e.message : 'failed';
      return result({ status: 'failed', reason, message });
    }
  }
}
