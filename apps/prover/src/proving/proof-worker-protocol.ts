import type { ConstraintReason, OwnershipPublicInputs, OwnershipWitnessInputs, ZkOptions } from '@rv/zk';

/** Serializable settings for each worker's OwnershipProver. */
export type WorkerZkOptions = Pick<
  ZkOptions,
  'crsPath' | 'allowTestCrs' | 'production' | 'allowCrsDownload' | 'threads'
>;

export interface ProveRequest {
  id: number;
  op: 'prove';
  inputs: OwnershipWitnessInputs;
}

export type WorkerError =
  | { kind: 'constraint'; reason: ConstraintReason }
  | { kind: 'input'; message: string }
  | { kind: 'internal'; message: string };

export type ProveReply =
  | {
      id: number;
      ok: true;
      proof: Uint8Array;
      publicInputs: OwnershipPublicInputs;
      witnessMs: number;
      proveMs: number;
    }
  | { id: number; ok: false; error: WorkerError };

export type WorkerStatus =
  { type: 'ready'; vkHash: string; crsKind: string } | { type: 'failed'; message: string };
