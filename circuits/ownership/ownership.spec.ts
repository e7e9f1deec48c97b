// The committed artifact matches the Noir source, and the circuit accepts exactly the witnesses
// of ARCHITECTURE.md "Cryptography" (executed with @noir-lang/noir_js, no proving here).
import { readFileSync } from 'fs';
import { Noir, type CompiledCircuit, type InputMap } from '@noir-lang/noir_js';
import { commitment, fieldToHex, leafHash, nullifier, poseidon2Hash } from '@rv/crypto';
import { artifactPath, compileCircuit } from '../scripts/compile';

const DEPTH = 20;
const committed = JSON.parse(readFileSync(artifactPath('ownership'), 'utf8')) as CompiledCircuit & {
  noir_version: string;
};

/** Root and sibling path of a depth-20 tree holding `leaves` at indices 0..n-1 (rest zero). */
function tree(leaves: bigint[], index: number): { root: bigint; siblings: bigint[] } {
  let level = leaves.slice();
  let zero = 0n;
  let idx = index;
  const siblings: bigint[] = [];
  for (let d = 0; d < DEPTH; d++) {
    if (level.length % 2 === 1) level.push(zero);
    siblings.push(level[idx ^ 1]!);
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon2Hash([level[i]!, level[i + 1]!]));
    level = next;
    zero = poseidon2Hash([zero, zero]);
    idx >>= 1;
  }
  return { root: level[0]!, siblings };
}

const secret = 0x1234_5678_9abc_def0_1122_3344n;
const token = 0x0bad_cafen;
const trackId = 7n;
const scope = 2026_11n;
const index = 5;
const others = [11n, 12n, 13n, 14n, 15n, 16n, 17n].map((s) => leafHash(commitment(s), token, trackId));
const ownLeaf = leafHash(commitment(secret), token, trackId);
const leaves = [...others.slice(0, index), ownLeaf, ...others.slice(index)];
const { root, siblings } = tree(leaves, index);

function inputs(over: Partial<Record<string, bigint | bigint[]>> = {}): InputMap {
  const v = {
    secret,
    token,
    leaf_index: BigInt(index),
    siblings,
    root,
    track_id: trackId,
    scope,
    nullifier: nullifier(secret, trackId, scope),
    ...over,
  };
  const out: InputMap = {};
  for (const [k, x] of Object.entries(v))
    out[k] = Array.isArray(x) ? x.map(fieldToHex) : fieldToHex(x as bigint);
  return out;
}

describe('circuits/ownership artifact', () => {
  it('equals a fresh compile of the Noir source (recompile: circuits/scripts/compile.ts)', async () => {
    const fresh = await compileCircuit('ownership');
    expect(fresh.noir_version).toBe(committed.noir_version);
    expect(fresh.abi).toEqual(committed.abi);
    expect(fresh.bytecode).toBe(committed.bytecode);
  }, 60_000);

  it('has public inputs root, track_id, scope, nullifier (in that order) and depth-20 siblings', () => {
    const params = committed.abi.parameters;
    expect(params.filter((p) => p.visibility === 'public').map((p) => p.name)).toEqual([
      'root',
      'track_id',
      'scope',
      'nullifier',
    ]);
    expect(params.find((p) => p.name === 'siblings')?.type).toEqual({
      kind: 'array',
      length: DEPTH,
      type: { kind: 'field' },
    });
  });
});

describe('circuits/ownership constraints (noir_js execution)', () => {
  const noir = new Noir(committed);
  const failure = async (input: InputMap): Promise<string> => {
    try {
      await noir.execute(input);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('witness was accepted');
  };

  it('accepts the holder of a leaf', async () => {
    const { witness } = await noir.execute(inputs());
    expect(witness.length).toBeGreaterThan(0);
  });

  it('accepts every leaf position of the tree, left and right children', async () => {
    for (const i of [0, 4, 7]) {
      const s = i === index ? secret : [11n, 12n, 13n, 14n, 15n, 16n, 17n][i < index ? i : i - 1]!;
      const path = tree(leaves, i);
      await expect(
        noir.execute(
          inputs({
            secret: s,
            leaf_index: BigInt(i),
            siblings: path.siblings,
            nullifier: nullifier(s, trackId, scope),
          }),
        ),
      ).resolves.toBeDefined();
    }
  });

  it('rejects a wrong sibling (membership)', async () => {
    const bad = siblings.slice();
    bad[3] = bad[3]! + 1n;
    expect(await failure(inputs({ siblings: bad }))).toMatch(/membership/);
  });

  it('rejects a wrong leaf index (membership)', async () => {
    expect(await failure(inputs({ leaf_index: BigInt(index + 1) }))).toMatch(/membership/);
  });

  it('rejects a wrong secret even with its own matching nullifier (membership)', async () => {
    const other = secret + 1n;
    expect(await failure(inputs({ secret: other, nullifier: nullifier(other, trackId, scope) }))).toMatch(
      /membership/,
    );
  });

  it('rejects a wrong nullifier (nullifier)', async () => {
    expect(await failure(inputs({ nullifier: nullifier(secret, trackId, scope) + 1n }))).toMatch(/nullifier/);
  });

  it('rejects a scope that differs from the one the nullifier was made for (nullifier)', async () => {
    expect(await failure(inputs({ scope: scope + 1n }))).toMatch(/nullifier/);
  });

  it('rejects a revoked leaf: the tree holds zero at the position (membership)', async () => {
    const revoked = leaves.slice();
    revoked[index] = 0n;
    const t = tree(revoked, index);
    expect(await failure(inputs({ root: t.root, siblings: t.siblings }))).toMatch(/membership/);
  });

  it('rejects a proof for another track (membership)', async () => {
    expect(
      await failure(inputs({ track_id: trackId + 1n, nullifier: nullifier(secret, trackId + 1n, scope) })),
    ).toMatch(/membership/);
  });

  it('rejects a leaf index outside the tree (>= 2^depth)', async () => {
    await expect(
      noir.execute(inputs({ leaf_index: BigInt(index) + (1n << BigInt(DEPTH)) })),
    ).rejects.toThrow();
  });
});
