import type { z } from 'zod';
import {
  CHAIN_UPDATES_TOPIC,
  CHAIN_UPDATES_VERSION,
  chainUpdateSchema,
  LEAF_CHANGES_TOPIC,
  LEAF_CHANGES_VERSION,
  leafChangeSchema,
  ROOTS_TOPIC,
  ROOTS_VERSION,
  rootRecordSchema,
} from '@rv/events';

/** What a downstream consumer needs to know about one rv.* topic, beside its value schema. */
export interface TopicDoc {
  topic: string;
  version: number;
  schema: z.ZodType;
  title: string;
  description: string;
  key: string;
  ordering: string;
  delivery: string;
  retention: string;
  producers: string[];
  consumers: string[];
}

const atLeastOnce =
  'At-least-once: a record may be delivered again (after a producer retry or a consumer restart). ' +
  'Every record carries an idempotency key; consumers apply each key once.';

export const TOPICS: TopicDoc[] = [
  {
    topic: CHAIN_UPDATES_TOPIC,
    version: CHAIN_UPDATES_VERSION,
    schema: chainUpdateSchema,
    title: 'Normalized Solana updates',
    description:
      'Program events (identity_registered, track_registered, root_updated, ownership_verified), SPL Token ' +
      'holdings of registered track mints (holding_changed), slot statuses, and compensations ' +
      '(event_reverted) for events of a slot that died after it was streamed at confirmed.',
    key: 'The wallet (base58) for identity and holding records; `track:<trackId>` for track-level events; `slots` for slot statuses; a compensation uses its original record\'s key.',
    ordering: 'Per key: everything about one wallet, one track, or the slot stream keeps chain order.',
    delivery: `${atLeastOnce} Idempotency key: field \`id\`.`,
    retention: '7 days (broker default); the indexer can re-stream from a slot to rebuild it.',
    producers: ['apps/indexer (ingest)'],
    consumers: ['apps/indexer (projector)'],
  },
  {
    topic: LEAF_CHANGES_TOPIC,
    version: LEAF_CHANGES_VERSION,
    schema: leafChangeSchema,
    title: 'Merkle leaf changes per track',
    description:
      'Appends and revocations of ownership leaves L = H(commitment, tokenField(mint), trackId), derived by the ' +
      'projector from identities and holdings (a transfer is a revoke of the old holder plus an append).',
    key: 'The track id (decimal string).',
    ordering: 'Per track: changeSeq is 1, 2, 3, ... without gaps within a track.',
    delivery: `${atLeastOnce} Idempotency key: (trackId, changeSeq); apply only changeSeq above the last applied.`,
    retention: '7 days (broker default).',
    producers: ['apps/indexer (projector, via its transactional outbox)'],
    consumers: ['apps/registry (tree writer)'],
  },
  {
    topic: ROOTS_TOPIC,
    version: ROOTS_VERSION,
    schema: rootRecordSchema,
    title: 'New Merkle roots per track',
    description: 'Each root the registry computed after applying a batch of leaf changes to a track\'s tree.',
    key: 'The track id (decimal string).',
    ordering: 'Per track: seq increases by one per applied batch.',
    delivery: `${atLeastOnce} Idempotency key: (trackId, seq).`,
    retention: '7 days (broker default).',
    producers: ['apps/registry (tree writer)'],
    consumers: ['apps/registry (root publisher: submits update_root on chain)'],
  },
];
