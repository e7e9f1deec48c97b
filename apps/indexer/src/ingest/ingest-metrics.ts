import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsService } from '@rv/observability';

export interface IngestMetrics {
  records: Counter<'type'>;
  reconnects: Counter<string>;
  gapsFilled: Counter<string>;
  deadLetters: Counter<'code'>;
  slotLag: Gauge<string>;
  checkpoint: Gauge<string>;
  batchSize: Histogram<string>;
  batchSeconds: Histogram<string>;
}

export function ingestMetrics(m: MetricsService): IngestMetrics {
  return {
    records: m.counter(
      'rv_indexer_ingest_records_total',
      'chain updates published to rv.chain.updates.v1, by type',
      ['type'],
    ),
    reconnects: m.counter('rv_indexer_ingest_reconnects_total', 'Yellowstone stream reconnects'),
    gapsFilled: m.counter('rv_indexer_ingest_gaps_filled_total', 'slot ranges backfilled over Solana RPC'),
    deadLetters: m.counter(
      'rv_indexer_ingest_dead_letters_total',
      'undecodable program events dead-lettered, by code',
      ['code'],
    ),
    slotLag: m.gauge(
      'rv_indexer_ingest_slot_lag',
      'slots between the chain tip seen on the stream and the checkpoint',
    ),
    checkpoint: m.gauge('rv_indexer_ingest_checkpoint_slot', 'last fully published slot'),
    batchSize: m.histogram(
      'rv_indexer_ingest_batch_size',
      'records per published batch (one journal statement, one producer request)',
      [],
      [1, 10, 50, 100, 500, 1000, 2000, 4000],
    ),
    batchSeconds: m.histogram(
      'rv_indexer_ingest_batch_seconds',
      'time to journal and publish one batch until the broker acknowledged it',
      [],
      [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    ),
  };
}
