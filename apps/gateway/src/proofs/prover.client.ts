import { ApiError, DEFAULT_CODES, type ErrorCode } from '../http/api-error';

/** What the gateway needs from apps/prover: POST /v1/proofs and POST /v1/verify. */
export interface ProverApi {
  /** Forwards a proof request; resolves with the prover's answer body, throws ApiError otherwise. */
  prove(body: unknown): Promise<Record<string, unknown>>;
  /** True iff the prover says the proof verifies (its 422 = false). */
  verify(proofHex: string, publicInputs: Record<string, string>): Promise<boolean>;
}

const PROVER_CODES: Record<string, ErrorCode> = {
  constraint_failed: 'unprocessable',
  invalid_proof: 'invalid_proof',
};

/**
 * HTTP client of the prover. The request body (which holds the holder's secret) is sent as is
 * and never logged; the prover's error answers (which never echo inputs) keep their status.
 */
export class HttpProverClient implements ProverApi {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async prove(body: unknown): Promise<Record<string, unknown>> {
    return this.post('/v1/proofs', body, this.timeoutMs);
  }

  async verify(proofHex: string, publicInputs: Record<string, string>): Promise<boolean> {
    try {
      await this.post('/v1/verify', { proof: proofHex, publicInputs }, Math.min(this.timeoutMs, 10_000));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) return false;
      throw e;
    }
  }

  private async post(path: string, body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError')
        throw new ApiError(504, 'timeout', `the prover did not answer within ${timeoutMs} ms`);
      throw new ApiError(503, 'unavailable', 'the prover is unavailable; retry shortly', {
        'Retry-After': '2',
      });
    }
    let answer: Record<string, unknown> = {};
    try {
      answer = (await res.json()) as Record<string, unknown>;
    } catch {
      if (res.ok) throw new ApiError(503, 'unavailable', 'the prover answered malformed JSON');
    }
    if (res.ok) return answer;
    const message = typeof answer.message === 'string' ? answer.message : `prover HTTP ${res.status}`;
    const reason = typeof answer.reason === 'string' ? ` (reason: ${answer.reason})` : '';
    const retry = res.headers.get('retry-after');
    if ([400, 404, 409, 422, 503, 504].includes(res.status)) {
      const code =
        (typeof answer.error === 'string' ? PROVER_CODES[answer.error] : undefined) ??
        DEFAULT_CODES[res.status] ??
        'bad_request';
      throw new ApiError(res.status, code, message + reason, retry ? { 'Retry-After': retry } : {});
    }
    throw new ApiError(503, 'unavailable', 'the prover failed; retry shortly', { 'Retry-After': '2' });
  }
}
