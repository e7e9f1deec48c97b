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

/** autocannon over a fixed list of GET paths, cycled, with the same headers on each. */
export function loadRequests(opts: {
  url: string;
  connections: number;
  durationS: number;
  paths: string[];
  headers: Record<string, string>;
}): Promise<LoadResult> {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationS,
        headers: opts.headers,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => ({
              ...req,
              method: 'GET',
              path: opts.paths[i++ % opts.paths.length],
            }),
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
