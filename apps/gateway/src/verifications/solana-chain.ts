import { Keypair, Transaction } from '@solana/web3.js';
import { findRvError, nullifierPda, recordVerificationIx } from '@rv/chain';

/** The chain did not answer (down, timeout, malformed answer): retry later. */
export class ChainUnavailableError extends Error {
  override readonly name = 'ChainUnavailableError';
}

/** The chain refused the transaction (preflight); `reason` names the program error when known. */
export class ChainRejectedError extends Error {
  override readonly name = 'ChainRejectedError';
  constructor(
    readonly reason: 'NullifierUsed' | 'UnknownRoot' | 'Other',
    message: string,
  ) {
    super(message);
  }
}

export interface RecordVerification {
  trackId: bigint;
  scope: Uint8Array;
  nullifier: Uint8Array;
  root: Uint8Array;
}

export type SignatureState =
  | { state: 'unknown' }
  | { state: 'pending' }
  | { state: 'confirmed'; slot: number }
  | { state: 'failed'; slot: number; error: string };

/** What verifications need from Solana. */
export interface ChainApi {
  /** Does the nullifier PDA of (track, nullifier) exist? */
  nullifierRecorded(trackId: bigint, nullifier: Uint8Array): Promise<boolean>;
  /** Builds and signs record_verification; the signature is known before anything is sent. */
  prepareRecordVerification(args: RecordVerification): Promise<{ signature: string; wire: Buffer }>;
  /** Sends a prepared transaction (with preflight). */
  send(wire: Buffer): Promise<void>;
  signatureState(signature: string): Promise<SignatureState>;
}

interface RpcAnswer<T> {
  result?: T;
  error?: { code: number; message: string; data?: { err?: unknown; logs?: string[] } };
}

/**
 * Solana JSON-RPC client (plain fetch, bounded by a timeout) that signs record_verification with
 * the verifier keypair, which is also the fee payer. The keypair is held in memory only.
 */
export class SolanaChain implements ChainApi {
  private nextId = 1;

  constructor(
    private readonly rpcUrl: string,
    private readonly verifier: Keypair,
    private readonly timeoutMs: number,
  ) {}

  get verifierPublicKey(): string {
    return this.verifier.publicKey.toBase58();
  }

  async nullifierRecorded(trackId: bigint, nullifier: Uint8Array): Promise<boolean> {
    const [pda] = nullifierPda(trackId, nullifier);
    const r = await this.call<{ value: { lamports: number } | null }>('getAccountInfo', [
      pda.toBase58(),
      { encoding: 'base64', commitment: 'confirmed' },
    ]);
    return r.value !== null && r.value.lamports > 0;
  }

  async prepareRecordVerification(args: RecordVerification): Promise<{ signature: string; wire: Buffer }> {
    const { value } = await this.call<{ value: { blockhash: string; lastValidBlockHeight: number } }>(
      'getLatestBlockhash',
      [{ commitment: 'confirmed' }],
    );
    const tx = new Transaction({
      feePayer: this.verifier.publicKey,
      blockhash: value.blockhash,
      lastValidBlockHeight: value.lastValidBlockHeight,
    });
    tx.add(recordVerificationIx({ verifier: this.verifier.publicKey, ...args }));
    tx.sign(this.verifier);
    const bs58 = (await import('bs58')).default;
    return { signature: bs58.encode(tx.signature!), wire: tx.serialize() };
  }

  async send(wire: Buffer): Promise<void> {
    const answer = await this.raw<string>('sendTransaction', [
      wire.toString('base64'),
      { encoding: 'base64', preflightCommitment: 'confirmed' },
    ]);
    if (answer.error) {
      const e = answer.error;
      const text = [e.message, ...(e.data?.logs ?? [])];
      const custom = customCode(e.data?.err);
      const rv =
        findRvError(text) ??
        (custom !== undefined ? findRvError(`custom program error: ${custom}`) : undefined);
      if (rv === 'NullifierUsed' || text.some((l) => /already in use/.test(l)))
        throw new ChainRejectedError('NullifierUsed', 'the nullifier is already recorded on chain');
      if (rv === 'UnknownRoot')
        throw new ChainRejectedError('UnknownRoot', "the root is not in the track's on-chain root history");
      if (e.code === -32002 || e.code === -32003)
        throw new ChainRejectedError('Other', `the chain refused the transaction${rv ? ` (${rv})` : ''}`);
      throw new ChainUnavailableError(`RPC error ${e.code}`);
    }
  }

  async signatureState(signature: string): Promise<SignatureState> {
    const r = await this.call<{
      value: ({ slot: number; err: unknown; confirmationStatus: string | null } | null)[];
    }>('getSignatureStatuses', [[signature], { searchTransactionHistory: true }]);
    const s = r.value[0];
    if (!s) return { state: 'unknown' };
    if (s.err) return { state: 'failed', slot: s.slot, error: JSON.stringify(s.err) };
    if (s.confirmationStatus === 'confirmed' || s.confirmationStatus === 'finalized')
      return { state: 'confirmed', slot: s.slot };
    return { state: 'pending' };
  }

  private async call<T>(method: string, params: unknown[]): Promise<T> {
    const a = await this.raw<T>(method, params);
    if (a.error || a.result === undefined)
      throw new ChainUnavailableError(`RPC ${method} failed${a.error ? `: ${a.error.code}` : ''}`);
    return a.result;
  }

  private async raw<T>(method: string, params: unknown[]): Promise<RpcAnswer<T>> {
    let res: Response;
    try {
      res = await fetch(this.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ChainUnavailableError(`Solana RPC unreachable (${method})`);
    }
    if (!res.ok) throw new ChainUnavailableError(`Solana RPC HTTP ${res.status} (${method})`);
    try {
      return (await res.json()) as RpcAnswer<T>;
    } catch {
      throw new ChainUnavailableError(`Solana RPC answered malformed JSON (${method})`);
    }
  }
}

function customCode(err: unknown): number | undefined {
  const ie = (err as { InstructionError?: [number, unknown] } | undefined)?.InstructionError;
  const c = (ie?.[1] as { Custom?: unknown } | undefined)?.Custom;
  return typeof c === 'number' ? c : undefined;
}
