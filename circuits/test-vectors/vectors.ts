/**
 * Shared test vectors: computed by @rv/crypto and @rv/merkle, written by generate.ts, checked
 * by vectors.spec.ts (TypeScript) and by the circuit (Noir). Inputs are fixed (derived from
 * labels with SHA-256), so regenerating gives byte-identical files.
 */
import { createHash } from 'crypto';
import bs58 from 'bs58';
import {
  commitment,
  FIELD_MODULUS,
  fieldToHex,
  getHasher,
  leafHash,
  nullifier,
  tokenField,
  type Poseidon2Hasher,
} from '@rv/crypto';
import { MemoryNodeStore, SparseMerkleTree } from '@rv/merkle';

export interface Poseidon2Vector {
  inputs: string[];
  output: string;
}

export interface MerklePathVector {
  index: number;
  leaf: string;
  siblings: string[];
  root: string;
}

export interface MerkleVector {
  name: string;
  depth: number;
  leaves: string[];
  root: string;
  paths: MerklePathVector[];
}

export interface LeafVector {
  secret: string;
  commitment: string;
  mint: string;
  token_field: string;
  track_id: string;
  leaf: string;
  scope: string;
  nullifier: string;
}

const R1 = FIELD_MODULUS - 1n;

/** A fixed pseudo-random field element named by `label`. */
function fieldFrom(label: string): bigint {
  return BigInt('0x' + createHash('sha256').update(`rv-test-vector:${label}`).digest('hex')) % FIELD_MODULUS;
}

function bytesFrom(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`rv-test-vector-bytes:${label}`).digest());
}

export function poseidon2Vectors(hasher: Poseidon2Hasher = getHasher()): Poseidon2Vector[] {
  const cases: bigint[][] = [
    [0n],
    [1n],
    [R1],
    [fieldFrom('p1')],
    [0n, 0n],
    [1n, 2n],
    [R1, R1],
    [0n, R1],
    [fieldFrom('p2a'), fieldFrom('p2b')],
    [0n, 0n, 0n],
    [1n, 2n, 3n],
    [R1, R1, R1],
    [R1, 0n, 1n],
    [fieldFrom('p3a'), fieldFrom('p3b'), fieldFrom('p3c')],
  ];
  return cases.map((inputs) => ({ inputs: inputs.map(fieldToHex), output: fieldToHex(hasher.hash(inputs)) }));
}

async function merkleCase(
  name: string,
  leaves: bigint[],
  probe: number[],
  revoke: number[] = [],
): Promise<MerkleVector> {
  const depth = 20;
  const tree = new SparseMerkleTree(new MemoryNodeStore(), { depth });
  if (leaves.length > 0) await tree.append(leaves, 0);
  for (const i of revoke) await tree.revoke(i);
  const final = leaves.map((l, i) => (revoke.includes(i) ? 0n : l));
  const paths = await tree.paths(probe);
  return {
    name,
    depth,
    leaves: final.map(fieldToHex),
    root: fieldToHex(await tree.root()),
    paths: paths.map((p) => ({
      index: p.index,
      leaf: fieldToHex(p.leaf),
      siblings: p.siblings.map(fieldToHex),
      root: fieldToHex(p.root),
    })),
  };
}

export async function merkleVectors(): Promise<MerkleVector[]> {
  const leaves = (n: number, tag: string): bigint[] =>
    Array.from({ length: n }, (_, i) => fieldFrom(`${tag}:${i}`));
  return [
    await merkleCase('empty', [], [0, 1048575]),
    await merkleCase('one leaf', leaves(1, 'one'), [0, 1]),
    await merkleCase('5 leaves, leaf 2 revoked', leaves(5, 'five'), [0, 1, 2, 3, 4], [2]),
    await merkleCase('1000 leaves', leaves(1000, 'thousand'), [0, 1, 511, 512, 998, 999]),
  ];
}

export function leafVectors(): LeafVector[] {
  const cases: { secret: bigint; mint: Uint8Array; trackId: bigint; scope: bigint }[] = [
    { secret: fieldFrom('secret-1'), mint: bytesFrom('mint-1'), trackId: 1n, scope: 202611n },
    { secret: fieldFrom('secret-2'), mint: bytesFrom('mint-2'), trackId: 42n, scope: fieldFrom('scope-2') },
    { secret: 1n, mint: new Uint8Array(32), trackId: 0n, scope: 0n },
    { secret: R1, mint: new Uint8Array(32).fill(0xff), trackId: 2n ** 64n - 1n, scope: R1 },
  ];
  return cases.map(({ secret, mint, trackId, scope }) => {
    const c = commitment(secret);
    const t = tokenField(mint);
    return {
      secret: fieldToHex(secret),
      commitment: fieldToHex(c),
      mint: bs58.encode(mint),
      token_field: fieldToHex(t),
      track_id: fieldToHex(trackId),
      leaf: fieldToHex(leafHash(c, t, trackId)),
      scope: fieldToHex(scope),
      nullifier: fieldToHex(nullifier(secret, trackId, scope)),
    };
  });
}

/** File name -> content (pretty JSON with a trailing newline), as committed. */
export async function renderVectorFiles(): Promise<Record<string, string>> {
  const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
  return {
    'poseidon2.json': json(poseidon2Vectors()),
    'merkle.json': json(await merkleVectors()),
    'leaf.json': json(leafVectors()),
  };
}
