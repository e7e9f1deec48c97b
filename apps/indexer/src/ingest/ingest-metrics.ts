import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '@rv/observability';

export interface IngestMetrics {
  records: Counter<'type'>;
  reconnects: Counter<string>;
  gapsFilled: Counter<string>;
  deadLetters: Counter<'code'>;
  slotLag: Gauge<string>;
  checkpoint: Gauge<string>;
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
  };
}
