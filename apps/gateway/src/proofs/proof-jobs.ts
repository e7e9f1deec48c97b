import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { ApiError } from '../http/api-error';
import type { ProverApi } from './prover.client';

export interface ProofJobView {
  id: string;
  status: 'pending' | 'done' | 'failed';
  /** The prover's answer when done: { proof, publicInputs, verificationKeyHash, timings }. */
  result?: Record<string, unknown>;
  error?: { status: number; code: string; message: string };
}

/**
 * Asynchronous proofs: the request is forwarded to the prover in the background and its outcome
 * (never the request, which holds the secret) is kept in Redis for `resultTtlS`, readable only
 * with the API key that asked. At most `maxInFlight` jobs run per gateway instance. A job whose
 * gateway dies before the answer disappears when its pending marker expires (GET answers 404).
 */
export class ProofJobs {
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly prover: ProverApi,
    private readonly redis: Redis,
    private readonly opts: { prefix: string; resultTtlS: number; pendingTtlMs: number; maxInFlight: number },
  ) {}

  async start(apiKeyId: string, body: object): Promise<ProofJobView> {
    if (this.inFlight >= this.opts.maxInFlight) {
      throw new ApiError(503, 'unavailable', 'too many proof jobs in progress; retry shortly', {
        'Retry-After': '2',
      });
    }
    const id = randomUUID();
    const pending: ProofJobView = { id, status: 'pending' };
    try {
      await this.redis.set(this.key(apiKeyId, id), JSON.stringify(pending), 'PX', this.opts.pendingTtlMs);
    } catch {
      throw new ApiError(503, 'unavailable', 'job store unavailable; retry shortly', { 'Retry-After': '1' });
    }
    this.inFlight++;
    const run = this.run(apiKeyId, id, body).finally(() => {
      this.inFlight--;
      this.running.delete(run);
    });
    this.running.add(run);
    return pending;
  }

  async get(apiKeyId: string, id: string): Promise<ProofJobView> {
    let text: string | null;
    try {
      text = await this.redis.get(this.key(apiKeyId, id));
    } catch {
      throw new ApiError(503, 'unavailable', 'job store unavailable; retry shortly', { 'Retry-After': '1' });
    }
    if (!text)
      throw new ApiError(404, 'not_found', 'no such proof job for this API key (unknown or expired)');
    return JSON.parse(text) as ProofJobView;
  }

  /** Nest shutdown hook (before Redis closes): lets running jobs store their outcome. */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  /** Waits for running jobs. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async run(apiKeyId: string, id: string, body: object): Promise<void> {
    let view: ProofJobView;
    try {
      view = { id, status: 'done', result: await this.prover.prove(body) };
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'internal', 'internal error');
      view = { id, status: 'failed', error: { status: err.status, code: err.code, message: err.message } };
    }
    await this.redis
      .set(this.key(apiKeyId, id), JSON.stringify(view), 'EX', this.opts.resultTtlS)
      .catch(() => undefined);
  }

  private key(apiKeyId: string, id: string): string {
    return `${this.opts.prefix}pj:${apiKeyId}:${id}`;
  }
}
