import { parseField } from '../proving/proof-request';

/** The registry has no path for this (track, leaf, root): HTTP 404/409/410 from it. */
export class PathUnavailableError extends Error {
  override readonly name = 'PathUnavailableError';
  constructor(
    message: string,
    readonly status: 404 | 409 | 410,
  ) {
    super(message);
  }
}

/** The registry did not answer usefully (down, timeout, malformed answer): HTTP 503. */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

export interface RegistryPath {
  root: bigint;
  leaf: bigint;
  siblings: bigint[];
}

/**
 * Client for apps/registry `GET /v1/trees/:trackId/paths/:leafIndex` (track id in decimal).
 * Answer: `{ trackId, root, seq, slot, path: { index, leaf, siblings[depth] } }`; 404 for an
 * unknown track, leaf or root, 410 for a root older than the registry keeps (REGISTRY_ROOT_HISTORY).
 * The path is asked at the root the caller named (`root=`); an answer at any other root is refused.
 */
export class RegistryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async path(trackId: bigint, leafIndex: bigint, root: bigint, depth: number): Promise<RegistryPath> {
    const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
    if (trackId >= 1n << 64n) throw new PathUnavailableError('the registry only knows u64 track ids', 404);
    const url = new URL(`/v1/trees/${trackId.toString()}/paths/${leafIndex.toString()}`, this.baseUrl);
    url.searchParams.set('root', hex(root));
    let res: Response;
    try {
      res = await fetch(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
    } catch (e) {
      throw new RegistryUnavailableError(
        `registry did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (res.status === 404)
      throw new PathUnavailableError('the registry has no such track, leaf or root', 404);
    if (res.status === 409)
      throw new PathUnavailableError('the registry cannot serve a path at that root', 409);
    if (res.status === 410)
      throw new PathUnavailableError('the registry no longer keeps paths at that root (too old)', 410);
    if (!res.ok) throw new RegistryUnavailableError(`registry answered HTTP ${res.status}`);
    try {
      const body = (await res.json()) as { root?: unknown; path?: { leaf?: unknown; siblings?: unknown } };
      const got = parseField(body.root, 'root');
      const siblings = body.path?.siblings;
      if (!Array.isArray(siblings) || siblings.length !== depth)
        throw new Error(`expected ${depth} siblings`);
      const path = {
        root: got,
        leaf: parseField(body.path?.leaf, 'leaf'),
        siblings: siblings.map((s, i) => parseField(s, `siblings[${i}]`)),
      };
      if (got !== root)
        throw new PathUnavailableError(
          'the registry serves another root than the one named (newer or older)',
          409,
        );
      return path;
    } catch (e) {
      if (e instanceof PathUnavailableError) throw e;
      throw new RegistryUnavailableError(
        `malformed registry answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
