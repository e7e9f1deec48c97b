export {
  canonicalJson,
  type EventDecodeError,
  type EventDecodeErrorCode,
  type EventDecodeResult,
  type ValueCodec,
} from './codec';
export * from './chain-updates/chain-update';
export * from './leaf-changes/leaf-change';
export * from './roots/root';

import { CHAIN_UPDATES_TOPIC } from './chain-updates/chain-update';
import { LEAF_CHANGES_TOPIC } from './leaf-changes/leaf-change';
import { ROOTS_TOPIC } from './roots/root';

/** Every topic of the events lib (dead-letter topics are `<topic>.dlq`). */
export const RV_TOPICS = [CHAIN_UPDATES_TOPIC, LEAF_CHANGES_TOPIC, ROOTS_TOPIC] as const;
export {
  PROVER_JOBS_TOPIC,
  PROVER_RESULTS_TOPIC,
  proofJobSchema,
  proofResultSchema,
  sealedSecretSchema,
  type ProofJob,
  type ProofResult,
} from './prover-jobs/prover-job';
