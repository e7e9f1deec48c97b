// The circuit against the shared vectors in circuits/test-vectors (written by the TypeScript
// side): Poseidon2 and Merkle through a small checker program built from this circuit's own
// src/poseidon2.nr and src/merkle.nr, leaf/commitment/nullifier through the ownership circuit.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Noir, type CompiledCircuit, type InputMap } from '@noir-lang/noir_js';
import { merklePath } from '@rv/zk';
import type { LeafVector, MerkleVector, Poseidon2Vector } from '../test-vectors/vectors';

const vectors = join(__dirname, '..', 'test-vectors');
const poseidon2 = JSON.parse(readFileSync(join(vectors, 'poseidon2.json'), 'utf8')) as Poseidon2Vector[];
const merkle = JSON.parse(readFileSync(join(vectors, 'merkle.json'), 'utf8')) as MerkleVector[];
const leaves = JSON.parse(readFileSync(join(vectors, 'leaf.json'), 'utf8')) as LeafVector[];
const ownership = JSON.parse(readFileSync(join(__dirname, 'ownership.json'), 'utf8')) as CompiledCircuit;

const CHECKER = `
mod poseidon2;
mod merkle;

fn main(inputs: [Field; 3], len: u32, output: Field, leaf: Field, index: Field, siblings: [Field; 20], root: Field) {
    let h = if len == 1 {
        poseidon2::hash([inputs[0]])
    } else if len == 2 {
        poseidon2::hash([inputs[0], inputs[1]])
    } else {
        assert(len == 3);
        poseidon2::hash(inputs)
    };
    assert(h == output, "poseidon2");
    assert(merkle::compute_root(leaf, index, siblings) == root, "merkle");
}
`;

const hex = (x: bigint): string => '0x' + x.toString(16).padStart(64, '0');
const plusOne = (h: string): string => hex(BigInt(h) + 1n);

describe('circuit vs shared test vectors', () => {
  let checker: Noir;
  let dir: string;
  const okHash = (): Pick<InputMap, 'inputs' | 'len' | 'output'> => {
    const v = poseidon2.find((x) => x.inputs.length === 1)!;
    return { inputs: [v.inputs[0]!, hex(0n), hex(0n)], len: '1', output: v.output };
  };
  const okPath = (): Pick<InputMap, 'leaf' | 'index' | 'siblings' | 'root'> => {
    const p = merkle[0]!.paths[0]!;
    return { leaf: p.leaf, index: String(p.index), siblings: p.siblings, root: p.root };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rv-checker-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'Nargo.toml'), '[package]\nname = "checker"\ntype = "bin"\n[dependencies]\n');
    writeFileSync(join(dir, 'src', 'main.nr'), CHECKER);
    for (const f of ['poseidon2.nr', 'merkle.nr'])
      copyFileSync(join(__dirname, 'src', f), join(dir, 'src', f));
    const { compile_program, createFileManager } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@noir-lang/noir_wasm') as typeof import('@noir-lang/noir_wasm');
    const quiet = (): void => undefined;
    const { program } = await compile_program(createFileManager(dir), undefined, quiet, quiet);
    checker = new Noir(program as unknown as CompiledCircuit);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has vectors of every kind', () => {
    expect(new Set(poseidon2.map((v) => v.inputs.length))).toEqual(new Set([1, 2, 3]));
    expect(merkle.flatMap((t) => t.paths).length).toBeGreaterThan(5);
    expect(leaves.length).toBeGreaterThan(0);
  });

  it('Poseidon2: the circuit hash equals every vector output (and not output + 1)', async () => {
    for (const v of poseidon2) {
      const inputs = [...v.inputs, hex(0n), hex(0n)].slice(0, 3);
      await expect(
        checker.execute({ inputs, len: String(v.inputs.length), output: v.output, ...okPath() }),
      ).resolves.toBeDefined();
      await expect(
        checker.execute({ inputs, len: String(v.inputs.length), output: plusOne(v.output), ...okPath() }),
      ).rejects.toThrow(/poseidon2/);
    }
  }, 60_000);

  it('Merkle: every vector path leads to its root in the circuit (and a changed sibling does not)', async () => {
    for (const t of merkle) {
      expect(t.depth).toBe(20);
      for (const p of t.paths) {
        const input = {
          ...okHash(),
          leaf: p.leaf,
          index: String(p.index),
          siblings: p.siblings,
          root: p.root,
        };
        await expect(checker.execute(input)).resolves.toBeDefined();
        const bad = p.siblings.slice();
        bad[19] = plusOne(bad[19]!);
        await expect(checker.execute({ ...input, siblings: bad })).rejects.toThrow(/merkle/);
      }
    }
  }, 60_000);

  it('Leaf/nullifier: the ownership circuit accepts each vector secret with its leaf, and only its nullifier', async () => {
    const noir = new Noir(ownership);
    for (const v of leaves) {
      // A tree holding the vector's leaf: the circuit recomputes the leaf from (secret, token, track).
      const index = 3;
      const { root, siblings } = merklePath([1n, 2n, 3n, BigInt(v.leaf)], index, 20);
      const input: InputMap = {
        secret: v.secret,
        token: v.token_field,
        leaf_index: String(index),
        siblings: siblings.map(hex),
        root: hex(root),
        track_id: v.track_id,
        scope: v.scope,
        nullifier: v.nullifier,
      };
      await expect(noir.execute(input)).resolves.toBeDefined();
      await expect(noir.execute({ ...input, nullifier: plusOne(v.nullifier) })).rejects.toThrow(/nullifier/);
    }
  }, 60_000);
});
