import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { ConfigService } from '@rv/config';
import { KafkaService, dlqTopicOf, DLQ_HEADERS, type ConsumedMessage } from '@rv/kafka';
import type { JobPrivateKey } from '@rv/sealed';
import type { ProverConfig } from '../prover.config';
import { publicInputsJson } from '../proving/proof-request';
import { ProvingService, failureReason } from '../proving/proving.service';
import { ProverJobKey } from './job-key';
import { decodeProofJob } from './proof-job';

/** Failures that a retry can fix: the batch is retried (offsets not committed). */
const TRANSIENT = new Set(['queue_full', 'registry_unavailable', 'internal']);

type Result = { key: string; value: string };

/**
 * Kafka job interface: consumes `rv.prover.jobs.v1` (consumer group, so more prover instances
 * mean more throughput) and answers on `rv.prover.results.v1`, keyed by jobId.
 *
 * Job value (JSON): the body of POST /v1/proofs WITHOUT `secret`, plus
 *   `jobId`        [A-Za-z0-9_.:-]{1,128}
 *   `sealedSecret` the secret sealed with `sealJobSecret(key, jobId, secret, topic)` from @rv/sealed
 *                  to the key served by GET /v1/job-key: { scheme: "rv-job-secret-v1", kid, epk,
 *                  nonce, ct } (X25519 ephemeral key per job, HKDF-SHA256, AES-256-GCM with the
 *                  topic and jobId as AAD; format in libs/sealed/src/job-secret.ts and circuits/README.md).
 * token, trackId, scope, nullifier, root travel in clear: they are public inputs, or (token) derived
 * from the track's public mint. leafIndex/siblings stay in clear too: they link the nullifier to a
 * leaf, but cannot be used to prove; the topic keeps a short retention for them.
 *
 * Result value: `{ jobId, status: "proved", proof, publicInputs, verificationKeyHash }` or
 * `{ jobId, status: "failed", reason, message }` (never the secret). At-least-once: a result may be
 * published twice for one jobId; consumers dedupe by jobId.
 *
 * Dead-lettered to `<jobs topic>.dlq` (header rv-dlq-reason / rv-dlq-code), with a `failed` result
 * when the jobId is known: no valid jobId, a plaintext `secret` (refused; the payload is NOT copied),
 * a malformed sealedSecret (payload not copied), an unknown key id or a sealed secret that does not
 * open for this topic and jobId (payload copied: it holds no plaintext secret).
 */
@Injectable()
export class ProofJobsConsumer implements OnApplicationBootstrap {
  private readonly log = new Logger('ProofJobsConsumer');

  constructor(
    private readonly kafka: KafkaService,
    private readonly proving: ProvingService,
    private readonly jobKey: ProverJobKey,
    private readonly config: ConfigService<ProverConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('PROVER_KAFKA_ENABLED')) return;
    const key = this.jobKey.key;
    if (!key) throw new Error('PROVER_JOB_KEY_FILE is required to consume proof jobs'); // checkProverConfig says so first
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
      handleBatch: (messages) => this.handleBatch(messages, results, key),
    });
    this.log.log(`consuming ${jobs} -> ${results} (job key ${key.keyId})`);
  }

  private async handleBatch(
    messages: ConsumedMessage[],
    resultsTopic: string,
    key: JobPrivateKey,
  ): Promise<void> {
    const width = Math.max(1, this.config.get('PROVER_WORKERS'));
    for (let i = 0; i < messages.length; i += width) {
      const chunk = messages.slice(i, i + width);
      const results = await Promise.all(chunk.map((m) => this.handle(m, key)));
      const out = results.filter((r): r is Result => r !== null);
      if (out.length > 0) await this.kafka.send(resultsTopic, out);
    }
  }

  /** One job -> its result message, or null for a message without a usable jobId (dead-lettered). */
  private async handle(m: ConsumedMessage, key: JobPrivateKey): Promise<Result | null> {
    const job = decodeProofJob(m.value, m.topic, key, this.proving.depth);
    const result = (jobId: string, value: object): Result => ({
      key: jobId,
      value: JSON.stringify({ jobId, ...value }),
    });
    switch (job.kind) {
      case 'dead_letter':
        await this.kafka.send(dlqTopicOf(m.topic), [
          this.deadLetter(m, job.code, job.reason, job.keepPayload),
        ]);
        this.proving.metrics.jobDeadLetters.inc({ code: job.code });
        this.log.warn(
          `dead-lettered job ${job.jobId ?? '(no id)'} ${m.topic}/${m.partition}@${m.offset}: ${job.code}`,
        );
        return job.jobId === undefined
          ? null
          : result(job.jobId, { status: 'failed', reason: job.code, message: job.reason });
      case 'bad_request':
        this.proving.metrics.failures.inc({ reason: 'bad_request', source: 'kafka' });
        return result(job.jobId, { status: 'failed', reason: 'bad_request', message: job.message });
      case 'prove':
        break;
    }
    try {
      const r = await this.proving.prove(
        job.request,
        Date.now() + this.config.get('PROVER_JOB_DEADLINE_MS'),
        'kafka',
      );
      return result(job.jobId, {
        status: 'proved',
        proof: '0x' + Buffer.from(r.proof).toString('hex'),
        publicInputs: publicInputsJson(r.publicInputs),
        verificationKeyHash: this.proving.verificationKey().hash,
      });
    } catch (e) {
      const reason = failureReason(e);
      if (TRANSIENT.has(reason)) throw e;
      // Error messages name fields and constraints, never witness values.
      return result(job.jobId, {
        status: 'failed',
        reason,
        message: e instanceof Error ? e.message : 'failed',
      });
    }
  }

  /** The DLQ record: the payload only when it holds no plaintext secret; never the source headers. */
  private deadLetter(m: ConsumedMessage, code: string, reason: string, keepPayload: boolean): Message {
    return {
      key: m.key,
      value: keepPayload ? m.value : null,
      headers: {
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.code]: code,
        [DLQ_HEADERS.sourceTopic]: m.topic,
        [DLQ_HEADERS.sourcePartition]: String(m.partition),
        [DLQ_HEADERS.sourceOffset]: m.offset,
        [DLQ_HEADERS.consumerGroup]: this.config.get('PROVER_GROUP_ID'),
        [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      },
    };
  }
}
