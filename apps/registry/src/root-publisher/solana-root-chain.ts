import {
  Connection,
  Keypair,
  PublicKey,
  SendTransactionError,
  Transaction,
  type Commitment,
  type ConnectionConfig,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { withTimeout } from '@rv/observability';
import {
  RAINBOW_VEIL_PROGRAM_ID,
  ROOT_HISTORY_LEN,
  configPda,
  decodeRvAccount,
  findRvError,
  rvErrorName,
  trackPda,
  updateRootIx,
  type RvErrorName,
} from '@rv/chain';

/** What the publisher needs to know of a track on chain. */
export interface TrackState {
  /** 0 before the first root. */
  lastSeq: bigint;
  /** The root stored with lastSeq (undefined before the first root). */
  latestRoot: Uint8Array | undefined;
}

export interface RootUpdate {
  trackId: bigint;
  root: Uint8Array;
  leafCount: bigint;
  seq: bigint;
}

export type SubmitOutcome =
  /** The transaction reached the commitment: MerkleRootUpdated is in its logs. */
  | { status: 'landed'; signature: string; slot: number }
  /** The program answered SeqNotIncreasing: a root with this seq or a newer one is already there. */
  | { status: 'seq_not_increasing' };

/** The chain as the root publisher sees it (the Solana implementation is below). */
export interface RootChain {
  /** null when the Track account does not exist (an unknown track). */
  readTrack(trackId: bigint): Promise<TrackState | null>;
  submitRoot(update: RootUpdate): Promise<SubmitOutcome>;
  /** Resolves when the RPC answers and the program's config names our key as root_authority. */
  checkReady(): Promise<void>;
}

export type ChainFailureReason =
  | 'rpc_unreachable'
  | 'rpc_timeout'
  | 'rpc_error'
  | 'unauthorized'
  | 'blockhash_expired'
  | 'confirm_timeout'
  | 'tx_failed';

/** A failure that may pass (the batch is retried, its offsets are not committed). */
export class ChainFailure extends Error {
  constructor(
    readonly reason: ChainFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'ChainFailure';
  }
}

export interface SolanaRootChainOptions {
  rpcUrl: string;
  authority: Keypair;
  commitment: 'confirmed' | 'finalized';
  rpcTimeoutMs: number;
  confirmTimeoutMs: number;
  pollMs: number;
  programId?: PublicKey;
}

const URL_RE = /\b(?:https?|wss?):\/\/\S+/g;
const UNREACHABLE_RE =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EPIPE|EAI_AGAIN|socket hang up|fetch failed|network/i;
const TIMEOUT_RE = /AbortError|aborted|timed? ?out|ETIMEDOUT/i;

/** An RPC error as a ChainFailure whose message never carries the RPC URL (it may hold an API key). */
export function rpcFailure(e: unknown, what: string): ChainFailure {
  if (e instanceof ChainFailure) return e;
  const raw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const msg = raw.replace(URL_RE, '<rpc-url>').slice(0, 300);
  if (TIMEOUT_RE.test(raw))
    return new ChainFailure('rpc_timeout', `${what}: Solana RPC did not answer in time`);
  if (UNREACHABLE_RE.test(raw)) {
    const code = /E[A-Z]{4,}/.exec(raw)?.[0] ?? 'connection failed';
    return new ChainFailure('rpc_unreachable', `${what}: Solana RPC unreachable (${code})`);
  }
  return new ChainFailure('rpc_error', `${what}: ${msg}`);
}

/**
 * The HTTP fetch under web3.js: global fetch with a per-request deadline, whose errors are re-made
 * as plain Errors of this realm naming the cause (ECONNREFUSED, timeout) and never the URL. (web3.js
 * passes a failed request on only if `err instanceof Error`, so an error from another realm, as
 * under jest, would otherwise hang the call.)
 */
function rpcFetch(timeoutMs: number): NonNullable<ConnectionConfig['fetch']> {
  const f = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    try {
      return await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const err = e as { name?: string; cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError')
        throw new Error(`RPC request timed out after ${timeoutMs} ms`);
      throw new Error(
        `fetch failed (${err.cause?.code ?? (err.cause as { message?: string } | undefined)?.message ?? 'network error'})`,
      );
    }
  };
  return f as unknown as NonNullable<ConnectionConfig['fetch']>;
}

/** Failures after which the sent transaction may still land. */
const KEEP_INFLIGHT: ReadonlySet<ChainFailureReason> = new Set([
  'confirm_timeout',
  'rpc_unreachable',
  'rpc_timeout',
  'rpc_error',
]);
const inflightKey = (u: RootUpdate) => `${u.trackId}:${u.seq}:${Buffer.from(u.root).toString('hex')}`;

const ALREADY_PROCESSED_RE = /AlreadyProcessed|already been processed/i;

const LEVEL: Record<string, number> = { processed: 0, confirmed: 1, finalized: 2 };

/** The rainbow_veil error of a transaction error JSON such as {"InstructionError":[0,{"Custom":6001}]}. */
function programErrorOf(err: unknown): RvErrorName | undefined {
  const ie = (err as { InstructionError?: [number, unknown] } | null)?.InstructionError;
  const custom = (ie?.[1] as { Custom?: unknown } | undefined)?.Custom;
  return typeof custom === 'number' ? rvErrorName(custom) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * update_root over Solana JSON-RPC with @solana/web3.js. Every RPC call has a timeout (an
 * AbortSignal on each HTTP request); confirmation polls getSignatureStatuses (no WebSocket needed)
 * until the commitment is reached, the blockhash expires, or the confirm deadline passes.
 */
export class SolanaRootChain implements RootChain {
  private readonly conn: Connection;
  private readonly programId: PublicKey;
  private readonly commitment: Commitment;
  private readonly inflight = new Map<
    string,
    { signature: string; lastValidBlockHeight: number; trackId: bigint; seq: bigint }
  >();

  constructor(private readonly opts: SolanaRootChainOptions) {
    this.programId = opts.programId ?? RAINBOW_VEIL_PROGRAM_ID;
    this.commitment = opts.commitment;
    this.conn = new Connection(opts.rpcUrl, {
      commitment: opts.commitment,
      disableRetryOnRateLimit: true,
      fetch: rpcFetch(opts.rpcTimeoutMs),
    });
  }

  get authority(): PublicKey {
    return this.opts.authority.publicKey;
  }

  private async rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      // The fetch deadline covers each request; this one also covers anything web3.js does around it.
      return await withTimeout(
        call(),
        this.opts.rpcTimeoutMs + 1000,
        `RPC call timed out after ${this.opts.rpcTimeoutMs + 1000} ms`,
      );
    } catch (e) {
      throw rpcFailure(e, what);
    }
  }

  async readTrack(trackId: bigint): Promise<TrackState | null> {
    const [pda] = trackPda(trackId, this.programId);
    const info = await this.rpc('getAccountInfo(track)', () =>
      this.conn.getAccountInfo(pda, this.commitment),
    );
    if (!info) return null;
    if (!info.owner.equals(this.programId)) {
      throw new ChainFailure(
        'rpc_error',
        `track ${trackId}: account ${pda.toBase58()} is not owned by the program`,
      );
    }
    const d = decodeRvAccount(info.data);
    if (!d.ok || d.value.name !== 'Track') {
      throw new ChainFailure(
        'rpc_error',
        `track ${trackId}: account ${pda.toBase58()} is not a Track (${d.ok ? d.value.name : d.error.message})`,
      );
    }
    const t = d.value.data;
    const latestRoot =
      t.rootCount > 0 ? t.roots[(t.rootHead + ROOT_HISTORY_LEN - 1) % ROOT_HISTORY_LEN] : undefined;
    for (const [k, v] of this.inflight) {
      if (v.trackId === trackId && v.seq <= t.lastSeq) this.inflight.delete(k); // landed (ours or another's)
    }
    return { lastSeq: t.lastSeq, latestRoot };
  }

  async submitRoot(u: RootUpdate): Promise<SubmitOutcome> {
    const key = inflightKey(u);
    const pending = this.inflight.get(key);
    // A retry of a root whose transaction is still in flight keeps waiting for that transaction.
    if (pending) return this.confirmTracked(key, pending.signature, pending.lastValidBlockHeight, u);
    const { blockhash, lastValidBlockHeight } = await this.rpc('getLatestBlockhash', () =>
      this.conn.getLatestBlockhash(this.commitment),
    );
    const tx = new Transaction({ feePayer: this.authority, blockhash, lastValidBlockHeight }).add(
      updateRootIx({
        authority: this.authority,
        trackId: u.trackId,
        root: u.root,
        leafCount: u.leafCount,
        seq: u.seq,
        programId: this.programId,
      }),
    );
    tx.sign(this.opts.authority);
    // Ed25519 signatures are deterministic: the same root with the same blockhash is the same transaction.
    const signature = bs58.encode(tx.signature!);
    try {
      // Preflight against the newest (processed) state: a root that landed a moment ago answers SeqNotIncreasing.
      await this.conn.sendRawTransaction(tx.serialize(), {
        skipPreflight: false,
        preflightCommitment: 'processed',
        maxRetries: 5,
      });
    } catch (e) {
      if (!(e instanceof SendTransactionError)) throw rpcFailure(e, 'sendTransaction');
      const lines = [...(e.logs ?? []), e.message];
      const custom = /"Custom":\s*(\d+)/.exec(e.message);
      const name = findRvError(lines) ?? (custom ? rvErrorName(Number(custom[1])) : undefined);
      if (name === 'SeqNotIncreasing') return { status: 'seq_not_increasing' };
      // This very transaction was sent before (a retry, or a restarted publisher with the same blockhash): confirm it.
      if (!name && ALREADY_PROCESSED_RE.test(e.message))
        return this.confirmTracked(key, signature, lastValidBlockHeight, u);
      throw this.programFailure(name, u, e.message);
    }
    return this.confirmTracked(key, signature, lastValidBlockHeight, u);
  }

  /**
   * Confirms and remembers the transaction while it may still land: a confirm timeout or an RPC
   * failure keeps it in `inflight` (the retried batch waits for it instead of paying for another);
   * an outcome, an expired blockhash or a refusal forgets it.
   */
  private async confirmTracked(
    key: string,
    signature: string,
    lastValidBlockHeight: number,
    u: RootUpdate,
  ): Promise<SubmitOutcome> {
    this.inflight.set(key, { signature, lastValidBlockHeight, trackId: u.trackId, seq: u.seq });
    try {
      const res = await this.confirm(signature, lastValidBlockHeight, u);
      this.inflight.delete(key);
      return res;
    } catch (e) {
      if (!(e instanceof ChainFailure) || !KEEP_INFLIGHT.has(e.reason)) this.inflight.delete(key);
      throw e;
    }
  }

  /** Transactions sent and not yet confirmed, refused or expired (by track, seq and root). */
  get inflightCount(): number {
    return this.inflight.size;
  }

  private programFailure(name: RvErrorName | undefined, u: RootUpdate, detail: string): ChainFailure {
    if (name === 'Unauthorized') {
      return new ChainFailure(
        'unauthorized',
        `update_root refused: ${this.authority.toBase58()} is not the program's root_authority`,
      );
    }
    if (/blockhash not found/i.test(detail))
      return new ChainFailure('blockhash_expired', 'update_root: blockhash not found');
    const text = detail.replace(URL_RE, '<rpc-url>').slice(0, 300);
    return new ChainFailure(
      'tx_failed',
      `update_root track ${u.trackId} seq ${u.seq} failed${name ? ` (${name})` : ''}: ${text}`,
    );
  }

  private async confirm(
    signature: string,
    lastValidBlockHeight: number,
    u: RootUpdate,
  ): Promise<SubmitOutcome> {
    const deadline = Date.now() + this.opts.confirmTimeoutMs;
    const want = LEVEL[this.commitment] ?? 1;
    for (;;) {
      const { value } = await this.rpc('getSignatureStatuses', () =>
        this.conn.getSignatureStatuses([signature]),
      );
      const st = value[0];
      if (st?.err) {
        const name = programErrorOf(st.err);
        if (name === 'SeqNotIncreasing') return { status: 'seq_not_increasing' };
        throw this.programFailure(name, u, JSON.stringify(st.err));
      }
      if (st && (LEVEL[st.confirmationStatus ?? 'processed'] ?? 0) >= want)
        return { status: 'landed', signature, slot: st.slot };
      if (!st) {
        const height = await this.rpc('getBlockHeight', () => this.conn.getBlockHeight('confirmed'));
        if (height > lastValidBlockHeight) {
          throw new ChainFailure(
            'blockhash_expired',
            `update_root ${signature} expired before it landed (block height ${height} > ${lastValidBlockHeight})`,
          );
        }
      }
      if (Date.now() > deadline) {
        throw new ChainFailure(
          'confirm_timeout',
          `update_root ${signature} did not reach ${this.commitment} within ${this.opts.confirmTimeoutMs} ms`,
        );
      }
      await sleep(this.opts.pollMs);
    }
  }

  async checkReady(): Promise<void> {
    const [pda] = configPda(this.programId);
    const info = await this.rpc('getAccountInfo(config)', () =>
      this.conn.getAccountInfo(pda, this.commitment),
    );
    if (!info)
      throw new Error(
        `rainbow_veil config account ${pda.toBase58()} not found (program not initialized on this chain)`,
      );
    const d = decodeRvAccount(info.data);
    if (!d.ok || d.value.name !== 'Config')
      throw new Error(`account ${pda.toBase58()} is not the rainbow_veil Config`);
    if (!d.value.data.rootAuthority.equals(this.authority)) {
      throw new Error(
        `${this.authority.toBase58()} is not the program's root_authority (${d.value.data.rootAuthority.toBase58()})`,
      );
    }
  }
}
