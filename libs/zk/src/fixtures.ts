import { commitment, leafHash, nullifier, poseidon2Hash } from '@rv/crypto';
import type { OwnershipWitnessInputs } from './inputs';

/** Root and sibling path of `index` in a tree of `depth` whose first leaves are `leaves` (rest zero). */
export function merklePath(
  leaves: readonly bigint[],
  index: number,
  depth: number,
): { root: bigint; siblings: bigint[] } {
  let level = leaves.slice();
  let zero = 0n;
  let idx = index;
  const siblings: bigint[] = [];
  for (let d = 0; d < depth; d++) {
    if (level.length % 2 === 1) level.push(zero);
    siblings.push(level[idx ^ 1] ?? zero);
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon2Hash([level[i]!, level[i + 1]!]));
    level = next.length > 0 ? next : [poseidon2Hash([zero, zero])];
    zero = poseidon2Hash([zero, zero]);
    idx >>= 1;
  }
  return { root: level[0]!, siblings };
}

export interface ExampleWitnessOptions {
  secret: bigint;
  token: bigint;
  trackId: bigint;
  scope: bigint;
  depth: number;
  /** Leaf position of the holder (default 0); other positions hold leaves of secrets 1000+i. */
  index?: number;
  /** Number of leaves in the tree (default index + 1). */
  leafCount?: number;
}

/**
 * A valid witness over a small made-up tree (for self-tests, specs and benchmarks). Real
 * provers get their path from the registry.
 */
export function exampleOwnershipWitness(o: ExampleWitnessOptions): OwnershipWitnessInputs {
  const index = o.index ?? 0;
  const count = Math.max(o.leafCount ?? index + 1, index + 1);
  const leaves = Array.from({ length: count }, (_, i) =>
    leafHash(commitment(i === index ? o.secret : 1000n + BigInt(i)), o.token, o.trackId),
  );
  const { root, siblings } = merklePath(leaves, index, o.depth);
  return {
    secret: o.secret,
    token: o.token,
    trackId: o.trackId,
    scope: o.scope,
    leafIndex: BigInt(index),
    siblings,
    root,
    nullifier: nullifier(o.secret, o.trackId, o.scope),
  };
}
