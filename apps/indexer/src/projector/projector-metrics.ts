import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsService } from '@rv/observability';

/** The projector's Prometheus metrics (names are the contract of the dashboards and alerts). */
export interface ProjectorMetrics {
  records: Counter<'type'>;
  leafChanges: Counter<'op'>;
  deadLetters: Counter<'code'>;
  /** ALARM: the on-chain root for (track, seq) is not the root the registry computed. */
  rootMismatches: Counter<'track'>;
  rootsAccepted: Counter<string>;
  batchSize: Histogram<string>;
  batchSeconds: Histogram<string>;
  consumerLag: Gauge<'partition'>;
  projectedSlot: Gauge<string>;
}

export function projectorMetrics(m: MetricsService): ProjectorMetrics {
  return {
    records: m.counter('rv_indexer_projected_records_total', 'chain updates projected, by type', ['type']),
    leafChanges: m.counter('rv_indexer_leaf_changes_total', 'leaf changes derived, by op', ['op']),
    deadLetters: m.counter(
      'rv_indexer_dead_letters_total',
      'records sent to the dead-letter topic, by code',
      ['code'],
    ),
    rootMismatches: m.counter(
      'rv_indexer_root_mismatch_total',
      'ALARM: on-chain root differs from the computed root',
      ['track'],
    ),
    rootsAccepted: m.counter(
      'rv_indexer_roots_accepted_total',
      'registry roots marked accepted by the chain',
    ),
    batchSize: m.histogram(
      'rv_indexer_batch_size',
      'records per projector batch',
      [],
      [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    ),
    batchSeconds: m.histogram(
      'rv_indexer_batch_duration_seconds',
      'projector batch duration (one transaction)',
      [],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    consumerLag: m.gauge('rv_indexer_consumer_lag', 'records behind the partition high watermark', [
      'partition',
    ]),
    projectedSlot: m.gauge('rv_indexer_projected_slot', 'highest slot projected into PostgreSQL'),
  };
}
