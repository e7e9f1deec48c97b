/** JSON shapes of the Rainbow Veil partner API (/v1). Field elements: 0x + 64 hex digits. */

export type Scope = 'read' | 'prove' | 'verify' | 'analytics';

export interface KeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  plan: string;
}

/** Every read names the snapshot it was served from. */
export interface Snapshot {
  trackId: string;
  root: string;
  seq: number;
  slot: number;
}

export interface TrackHead extends Snapshot {
  depth: number;
  leafCount: number;
  nextIndex: number;
}

export interface RootRecord {
  seq: number;
  root: string;
  leafCount: number;
  slot: number;
  accepted: boolean;
}

export interface AcceptedRoot extends RootRecord {
  trackId: string;
  /** The registry's current seq when this was read (ahead of `seq` until the chain accepts newer roots). */
  headSeq: number;
}

export interface RootHistory extends Snapshot {
  roots: RootRecord[];
}

export interface PathAnswer extends Snapshot {
  path: { index: number; leaf: string; siblings: string[] };
}

export interface LeavesPage extends Snapshot {
  depth: number;
  nextIndex: number;
  leaves: { index: number; leaf: string }[];
  nextCursor: string | null;
}

export interface PublicInputs {
  root: string;
  trackId: string;
  scope: string;
  nullifier: string;
}

/** The witness: `secret` is the holder's identity secret (sent to the prover only, never logged). */
export interface ProofRequest extends PublicInputs {
  secret: string;
  token: string;
  leafIndex: number;
  siblings?: string[];
}

export interface ProofAnswer {
  proof: string;
  publicInputs: PublicInputs;
  verificationKeyHash: string;
  timings: { queuedMs: number; witnessMs: number; proveMs: number };
}

export interface ProofJob {
  id: string;
  status: 'pending' | 'done' | 'failed';
  result?: ProofAnswer;
  error?: { status: number; code: string; message: string };
}

export interface VerificationRequest {
  proof: string;
  publicInputs: PublicInputs;
}

export interface Verification {
  id: string;
  status: 'pending' | 'confirmed' | 'failed';
  signature: string | null;
  slot: number | null;
  trackId: string;
  scope: string;
  nullifier: string;
  root: string;
  createdAt: string;
  error?: { code: string; message: string };
}

export type Granularity = 'hour' | 'day' | 'month';

export interface PeriodAnalytics {
  trackId: string;
  granularity: Granularity;
  from: string;
  to: string;
  k: number;
  /** count is null (suppressed) when fewer than k verifications fall in the bucket. */
  buckets: { start: string; count: number | null; suppressed: boolean }[];
}

export interface ScopeAnalytics {
  trackId: string;
  from: string;
  to: string;
  k: number;
  scopes: { scope: string; uniqueNullifiers: number }[];
  suppressedScopes: number;
}

/** Error codes of `{"error": {"code", "message"}}`. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'nullifier_used'
  | 'idempotency_key_reused'
  | 'payload_too_large'
  | 'unprocessable'
  | 'invalid_proof'
  | 'root_not_accepted'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'internal';
