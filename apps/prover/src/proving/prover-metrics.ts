import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsService } from '@rv/observability';

export type FailureReason =
  | 'membership'
  | 'nullifier'
  | 'zero_leaf'
  | 'other'
  | 'bad_request'
  | 'queue_full'
  | 'deadline'
  | 'path_unavailable'
  | 'registry_unavailable'
  | 'internal';

/** The prover's Prometheus metrics. */
export class ProverMetrics {
  readonly proofDuration: Histogram<'source'>;
  readonly witnessDuration: Histogram;
  readonly queueWait: Histogram;
  readonly verifyDuration: Histogram<'valid'>;
  readonly queueDepth: Gauge;
  readonly busyWorkers: Gauge;
  readonly workers: Gauge;
  readonly failures: Counter<'reason' | 'source'>;
  readonly proofs: Counter<'source'>;
  readonly jobDeadLetters: Counter<'code'>;

  constructor(m: MetricsService) {
    const buckets = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];
    this.proofDuration = m.histogram(
      'rv_prover_proof_duration_seconds',
      'Witness + UltraHonk proving time of one proof',
      ['source'],
      buckets,
    );
    this.witnessDuration = m.histogram(
      'rv_prover_witness_duration_seconds',
      'noir_js witness generation time',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    );
    this.queueWait = m.histogram(
      'rv_prover_queue_wait_seconds',
      'Time a proof request waited for a worker',
      [],
      buckets,
    );
    this.verifyDuration = m.histogram(
      'rv_prover_verify_duration_seconds',
      'Proof verification time',
      ['valid'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    );
    this.queueDepth = m.gauge('rv_prover_queue_depth', 'Proof requests waiting for a worker');
    this.busyWorkers = m.gauge(
      'rv_prover_workers_busy',
      'Proving workers currently proving (utilisation = busy / workers)',
    );
    this.workers = m.gauge('rv_prover_workers', 'Proving workers running');
    this.failures = m.counter('rv_prover_failures_total', 'Proof requests that failed, by reason', [
      'reason',
      'source',
    ]);
    this.proofs = m.counter('rv_prover_proofs_total', 'Proofs produced', ['source']);
    this.jobDeadLetters = m.counter(
      'rv_prover_job_dead_letters_total',
      'Kafka proof jobs sent to the dead-letter topic, by code',
      ['code'],
    );
  }
}
