import { parseIndex, parseIndicesBody, parseOptionalInt, parseSnapshotRef, parseTrackId } from './http-input';
import type { ReadTree } from './read-tree';
import { snapshotWithPathsJson } from './trees.presenter';

/**
 * The two hot routes' work from raw request values to answer bytes, shared by TreesController
 * (the documented routes) and PathsFastLane (the same routes served straight off node:http).
 * Bad input throws the errors RegistryErrorsFilter maps (400, 404, 409, 410, 413). `alloc` gives
 * the answer's memory (default: a fresh buffer).
 */
export const SLOT_MAX = Number.MAX_SAFE_INTEGER;

/** The query values the path routes read (strings as given; undefined when absent). */
export interface PathQuery {
  minSlot?: string;
  root?: string;
  seq?: string;
}

/** GET /v1/trees/:trackId/paths/:leafIndex */
export async function pathAnswer(
  read: ReadTree,
  trackId: string,
  leafIndex: string,
  q: PathQuery,
  alloc?: (size: number) => Buffer,
): Promise<Buffer> {
  const a = await read.servePaths(
    parseTrackId(trackId),
    [parseIndex(leafIndex, 'leafIndex')],
    parseOptionalInt(q.minSlot, 'minSlot', 0, SLOT_MAX),
    parseSnapshotRef(q.root, q.seq),
  );
  return snapshotWithPathsJson(a.tree, 'path', a.paths, alloc);
}

/** POST /v1/trees/:trackId/paths with `{"indices": [...], "root"?, "seq"?}` */
export async function batchPathsAnswer(
  read: ReadTree,
  trackId: string,
  body: unknown,
  minSlot: string | undefined,
  alloc?: (size: number) => Buffer,
): Promise<Buffer> {
  const id = parseTrackId(trackId);
  const fields = (body ?? {}) as { root?: unknown; seq?: unknown };
  const a = await read.servePaths(
    id,
    parseIndicesBody(body),
    parseOptionalInt(minSlot, 'minSlot', 0, SLOT_MAX),
    parseSnapshotRef(fields.root, fields.seq),
  );
  return snapshotWithPathsJson(a.tree, 'paths', a.paths, alloc);
}
