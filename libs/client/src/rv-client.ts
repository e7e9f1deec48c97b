import type {
  AcceptedRoot,
  ErrorCode,
  Granularity,
  KeyInfo,
  LeavesPage,
  PathAnswer,
  PeriodAnalytics,
  ProofAnswer,
  ProofJob,
  ProofRequest,
  RootHistory,
  ScopeAnalytics,
  TrackHead,
  Verification,
  VerificationRequest,
} from './types';

/** An error answer of the API: HTTP status, machine code, message, and Retry-After when given. */
export class RvApiError extends Error {
  override readonly name = 'RvApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface RvClientOptions {
  /** e.g. https://api.rainbowveil.example */
  baseUrl: string;
  /** The partner API key (sent as `Authorization: Bearer`). */
  apiKey: string;
  /** Per-request timeout (default 30 s; proofs take a few seconds). */
  timeoutMs?: number;
  /** Another fetch implementation (tests, proxies). */
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

/**
 * Typed client of the Rainbow Veil partner API. Every method resolves with the answer's JSON or
 * rejects with RvApiError. Track ids are decimal strings or bigints; field elements are 0x-hex.
 */
export class RvClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: RvClientOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  me(): Promise<KeyInfo> {
    return this.get('/v1/me');
  }

  tracks(): Promise<{ trees: TrackHead[] }> {
    return this.get('/v1/tracks');
  }

  track(trackId: bigint | string): Promise<TrackHead> {
    return this.get(`/v1/tracks/${trackId}`);
  }

  /** The newest root accepted on chain: prove against this one. */
  acceptedRoot(trackId: bigint | string): Promise<AcceptedRoot> {
    return this.get(`/v1/tracks/${trackId}/root`);
  }

  roots(trackId: bigint | string, opts: { limit?: number } = {}): Promise<RootHistory> {
    return this.get(`/v1/tracks/${trackId}/roots`, { limit: opts.limit });
  }

  /**
   * The Merkle path of a leaf: at the current root, or at an older root of the track by its seq
   * (pass the accepted root's seq to prove against it while the tree moves on).
   */
  path(trackId: bigint | string, leafIndex: number, opts: { seq?: number } = {}): Promise<PathAnswer> {
    return this.get(`/v1/tracks/${trackId}/paths/${leafIndex}`, { seq: opts.seq });
  }

  leaves(
    trackId: bigint | string,
    opts: { cursor?: string | number; limit?: number; seq?: number } = {},
  ): Promise<LeavesPage> {
    return this.get(`/v1/tracks/${trackId}/leaves`, {
      cursor: opts.cursor,
      limit: opts.limit,
      seq: opts.seq,
    });
  }

  prove(req: ProofRequest): Promise<ProofAnswer> {
    return this.send('POST', '/v1/proofs', req);
  }

  /** Starts an async proof job (Prefer: respond-async); poll with proofJob / waitForProof. */
  proveAsync(req: ProofRequest): Promise<ProofJob> {
    return this.send('POST', '/v1/proofs', req, { prefer: 'respond-async' });
  }

  proofJob(id: string): Promise<ProofJob> {
    return this.get(`/v1/proofs/${encodeURIComponent(id)}`);
  }

  /** Polls an async proof job until done (resolves with the proof) or failed (rejects with its error). */
  async waitForProof(
    id: string,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<ProofAnswer> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      const j = await this.proofJob(id);
      if (j.status === 'done' && j.result) return j.result;
      if (j.status === 'failed')
        throw new RvApiError(
          j.error?.status ?? 500,
          j.error?.code ?? 'internal',
          j.error?.message ?? 'proof failed',
        );
      if (Date.now() > deadline) throw new RvApiError(504, 'timeout', `proof job ${id} still pending`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  }

  /**
   * Submits a proof for verification. Use one idempotencyKey per logical verification and reuse
   * it on retries (503, timeouts): the gateway never records twice.
   */
  verify(req: VerificationRequest, opts: { idempotencyKey: string }): Promise<Verification> {
    return this.send('POST', '/v1/verifications', req, { 'idempotency-key': opts.idempotencyKey });
  }

  verification(id: string): Promise<Verification> {
    return this.get(`/v1/verifications/${encodeURIComponent(id)}`);
  }

  /** Polls until the verification is confirmed or failed (or the deadline passes). */
  async waitForVerification(
    id: string,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<Verification> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const v = await this.verification(id);
      if (v.status !== 'pending') return v;
      if (Date.now() > deadline) throw new RvApiError(504, 'timeout', `verification ${id} still pending`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  }

  verificationsPerPeriod(q: {
    trackId: bigint | string;
    from: string;
    to: string;
    granularity: Granularity;
  }): Promise<PeriodAnalytics> {
    return this.get('/v1/analytics/verifications', {
      trackId: String(q.trackId),
      from: q.from,
      to: q.to,
      granularity: q.granularity,
    });
  }

  uniqueNullifiersPerScope(q: {
    trackId: bigint | string;
    from: string;
    to: string;
  }): Promise<ScopeAnalytics> {
    return this.get('/v1/analytics/scopes', { trackId: String(q.trackId), from: q.from, to: q.to });
  }

  private get<T>(path: string, query: Query = {}): Promise<T> {
    return this.send('GET', path, undefined, {}, query);
  }

  private async send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    query: Query = {},
  ): Promise<T> {
    const url = new URL(path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await this.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.opts.apiKey}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const retry = res.headers.get('retry-after');
    throw new RvApiError(
      res.status,
      err?.code ?? 'internal',
      err?.message ?? `HTTP ${res.status}`,
      retry ? Number(retry) : undefined,
    );
  }
}
