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
  PROVER_JOBS_TOPIC,
  PROVER_RESULTS_TOPIC,
  proofJobSchema,
  proofResultSchema,
} from '@rv/events';

/** What a downstream consumer needs to know about one rv.* topic, beside its value schema. */
export interface TopicDoc {
  topic: string;
  /** The value's `v` field, or null when the envelope has none (its version is the topic's). */
  version: number | null;
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
    key: "The wallet (base58) for identity and holding records; `track:<trackId>` for track-level events; `slots` for slot statuses; a compensation uses its original record's key.",
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
    description: "Each root the registry computed after applying a batch of leaf changes to a track's tree.",
    key: 'The track id (decimal string).',
    ordering: 'Per track: seq increases by one per applied batch.',
    delivery: `${atLeastOnce} Idempotency key: (trackId, seq).`,
    retention: '7 days (broker default).',
    producers: ['apps/registry (tree writer)'],
    consumers: ['apps/registry (root publisher: submits update_root on chain)'],
  },
  {
    topic: PROVER_JOBS_TOPIC,
    version: null,
    schema: proofJobSchema,
    title: 'Proof jobs',
    description:
      'Requests for ownership proofs, for apps/prover instances in one consumer group. The holder secret travels sealed ' +
      '(sealedSecret: X25519 + HKDF-SHA256 + AES-256-GCM to the prover job key, bound to topic and jobId; see docs/prover-jobs.md); ' +
      'a job with a plaintext `secret` is dead-lettered without its payload.',
    key: 'The jobId.',
    ordering: 'None needed: jobs are independent.',
    delivery: `${atLeastOnce} Idempotency key: jobId (a job may be proved twice; results carry the jobId).`,
    retention: '1 hour (set at creation: the values link nullifiers to leaf positions).',
    producers: ['gateway (async proofs)', 'any partner back end with a job key'],
    consumers: ['apps/prover (consumer group PROVER_GROUP_ID)'],
  },
  {
    topic: PROVER_RESULTS_TOPIC,
    version: null,
    schema: proofResultSchema,
    title: 'Proof results',
    description:
      'One result per job: the proof with its public inputs, or the failure reason. Never the secret.',
    key: 'The jobId.',
    ordering: 'None needed.',
    delivery: `${atLeastOnce} Deduplicate by jobId.`,
    retention: '7 days (broker default).',
    producers: ['apps/prover'],
    consumers: ['the job producers'],
  },
];
