import { load, type LoadResult } from '../lib/http-load';

export type { LoadResult };

/** autocannon over a fixed list of GET paths, cycled, with the same headers on each. */
export function loadRequests(opts: {
  url: string;
  connections: number;
  durationS: number;
  paths: string[];
  headers: Record<string, string>;
}): Promise<LoadResult> {
  return load('autocannon', {
    url: opts.url,
    connections: opts.connections,
    durationS: opts.durationS,
    headers: opts.headers,
    mix: { kind: 'get-cycle', paths: opts.paths },
  });
}
