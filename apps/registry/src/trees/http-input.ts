import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { FieldError, fieldFromHex } from '@rv/crypto';
import type { SnapshotRef } from './tree-records';

/** Edge validation of path/query/body values: 400 (or 413) with a message naming the value. */
const U64_MAX = 2n ** 64n - 1n;

export function parseTrackId(text: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > U64_MAX) {
    throw new BadRequestException(`trackId must be a decimal u64, got "${text}"`);
  }
  return BigInt(text);
}

export function parseIndex(text: string, name: string): number {
  if (!/^\d{1,10}$/.test(text))
    throw new BadRequestException(`${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

export function parseOptionalInt(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new BadRequestException(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

export function parseLeaf(text: string | undefined, name = 'leaf'): bigint {
  if (text === undefined)
    throw new BadRequestException(`query parameter ${name} is required (0x + 64 hex digits)`);
  try {
    return fieldFromHex(text, name);
  } catch (e) {
    if (e instanceof FieldError) throw new BadRequestException(e.message);
    throw e;
  }
}

export const MAX_BATCH_PATHS = 1000;

export function parseIndicesBody(body: unknown): number[] {
  const indices = (body as { indices?: unknown } | null)?.indices;
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new BadRequestException('body must be {"indices": [leaf index, ...]} with 1 to 1000 indices');
  }
  if (indices.length > MAX_BATCH_PATHS) {
    throw new PayloadTooLargeException(
      `at most ${MAX_BATCH_PATHS} indices per request, got ${indices.length}`,
    );
  }
  for (const i of indices) {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0) {
      throw new BadRequestException(`indices must be non-negative integers, got ${JSON.stringify(i)}`);
    }
  }
  return indices as number[];
}

/**
 * The snapshot a read names: `root` (0x + 64 hex digits, a root of the tree's history) or `seq`
 * (a tree seq), not both; neither = the current root. Values from a query string or a JSON body.
 */
export function parseSnapshotRef(root: unknown, seq: unknown): SnapshotRef | undefined {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (given(root) && given(seq)) throw new BadRequestException('give root or seq, not both');
  if (given(root)) {
    if (typeof root !== 'string') throw new BadRequestException('root must be a string: 0x + 64 hex digits');
    return { root: parseLeaf(root, 'root') };
  }
  if (given(seq)) {
    const text = typeof seq === 'number' ? String(seq) : seq;
    if (typeof text !== 'string') throw new BadRequestException('seq must be a non-negative integer');
    return { seq: parseOptionalInt(text, 'seq', 0, Number.MAX_SAFE_INTEGER) as number };
  }
  return undefined;
}
