// autocannon ships no types; the few fields used here.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  opts: object,
  cb: (err: Error | null, res: AutocannonResult) => void,
) => unknown;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** Runs autocannon with a fresh request per call (`request()`), `headers` on every request. */
export function load(opts: {
  url: string;
  connections: number;
  durationS: number;
  request: () => { method: 'GET' | 'POST'; path: string; body?: string };
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationS,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const r = opts.request();
              return {
                ...req,
                method: r.method,
                path: r.path,
                body: r.body,
                headers: {
                  ...opts.headers,
                  ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
                },
              };
            },
          },
        ],
      },
      (err, res) => {
        if (err) return reject(err);
        resolve({
          rps: Math.round(res.requests.average),
          p50: res.latency.p50,
          p99: res.latency.p99,
          requests: res.requests.total,
          non2xx: res.non2xx,
          errors: res.errors,
        });
      },
    );
  });
}
