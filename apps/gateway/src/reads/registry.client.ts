import { ApiError } from '../http/api-error';

/** What the gateway needs from apps/registry (its /v1/trees API). Answers are its JSON bodies. */
export interface RegistryApi {
  /** GET path+query on the registry; resolves with the parsed JSON of a 2xx answer. */
  get(pathAndQuery: string): Promise<RegistryAnswer>;
}

export type RegistryAnswer = Record<string, unknown>;

/**
 * HTTP client of the registry. Its 400/404/409 answers pass through with their message; a
 * timeout, a refused connection or a 5xx becomes 503.
 */
export class HttpRegistryClient implements RegistryApi {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async get(pathAndQuery: string): Promise<RegistryAnswer> {
    let res: Response;
    try {
      res = await fetch(new URL(pathAndQuery, this.baseUrl), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ApiError(503, 'unavailable', 'the registry is unavailable; retry shortly', {
        'Retry-After': '1',
      });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ApiError(503, 'unavailable', 'the registry answered malformed JSON');
    }
    if (res.ok && typeof body === 'object' && body !== null) return body as RegistryAnswer;
    const message =
      typeof (body as { message?: unknown })?.message === 'string'
        ? (body as { message: string }).message
        : `registry HTTP ${res.status}`;
    if (res.status === 400) throw new ApiError(400, 'bad_request', message);
    if (res.status === 404) throw new ApiError(404, 'not_found', message);
    if (res.status === 410) throw new ApiError(410, 'gone', message);
    if (res.status === 409) throw new ApiError(409, 'conflict', message);
    if (res.status === 413) throw new ApiError(413, 'payload_too_large', message);
    throw new ApiError(503, 'unavailable', 'the registry is unavailable; retry shortly', {
      'Retry-After': '1',
    });
  }
}
