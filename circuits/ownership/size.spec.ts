// Where the rows of the ownership circuit come from (circuits/README.md, "Size"). bb.js's
// UltraHonk provers always build the circuit with honk recursion on, which appends bb's default
// pairing-point public inputs (bigfield limbs, range-constrained through a 14-bit delta-range
// list); the circuit's own constraints are the rest. Proving time follows the padded size.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { Barretenberg } from '@aztec/bb.js';
import { artifactPath } from '../scripts/compile';

const bytecodeOf = (base64: string): Uint8Array => new Uint8Array(gunzipSync(Buffer.from(base64, 'base64')));

/** Compiles a one-file Noir program with noir_wasm in a throwaway folder. */
async function compileSource(source: string): Promise<Uint8Array> {
  const { compile_program, createFileManager } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@noir-lang/noir_wasm') as typeof import('@noir-lang/noir_wasm');
  const dir = mkdtempSync(join(tmpdir(), 'rv-noir-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'Nargo.toml'),
      '[package]\nname = "probe"\ntype = "bin"\nauthors = [""]\n\n[dependencies]\n',
    );
    writeFileSync(join(dir, 'src', 'main.nr'), source);
    const quiet = (): void => undefined;
    const result = await compile_program(createFileManager(dir), undefined, quiet, quiet);
    return bytecodeOf((result.program as unknown as { bytecode: string }).bytecode);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('circuits/ownership size (bb.js acirGetCircuitSizes)', () => {
  let api: Barretenberg;
  const ownership = bytecodeOf(
    (JSON.parse(readFileSync(artifactPath('ownership'), 'utf8')) as { bytecode: string }).bytecode,
  );
  const sizes = async (bytecode: Uint8Array, honkRecursion: boolean): Promise<[number, number]> =>
    api.acirGetCircuitSizes(bytecode, false, honkRecursion);

  beforeAll(async () => {
    api = await Barretenberg.new({ threads: 1 });
  });
  afterAll(async () => api?.destroy());

  it('proves 5,447 gates padded to 8,192 rows: 1,907 of its own + 3,540 of bb default pairing points', async () => {
    expect(await sizes(ownership, true)).toEqual([5447, 8192]);
    expect(await sizes(ownership, false)).toEqual([1907, 2048]);
  });

  it('the 3,540-gate block is bb.js’s own: a one-constraint circuit gets it too, so no circuit fits 4,096 rows', async () => {
    const trivial = await compileSource('fn main(x: Field, y: pub Field) { assert(x * x == y); }\n');
    const [bare] = await sizes(trivial, false);
    const [proved, padded] = await sizes(trivial, true);
    expect(proved - bare).toBe(3540);
    expect(padded).toBe(4096);
    // 23 Poseidon2 permutations (~77 rows each) alone exceed the 556 rows left under 4,096.
    const perms = await compileSource(
      'fn main(x: Field, y: pub Field) {\n  let mut s = [x, 1, 2, 3];\n' +
        '  for _ in 0..23 { s = std::hash::poseidon2_permutation(s, 4); }\n  assert(s[0] != y);\n}\n',
    );
    const [permGates, permPadded] = await sizes(perms, true);
    expect(permGates).toBeGreaterThan(4096);
    expect(permPadded).toBe(8192);
  });

  it('the index bits add no wide range constraint: 20 bits by to_le_bits cost under 30 gates', async () => {
    const base = await compileSource('fn main(x: Field, y: pub Field) { assert(x * x == y); }\n');
    const bits = await compileSource(
      'fn main(x: Field, y: pub Field) {\n  assert(x * x == y);\n' +
        '  let b: [u1; 20] = x.to_le_bits();\n  assert(b[0] == 0);\n}\n',
    );
    const [withBits] = await sizes(bits, false);
    const [without] = await sizes(base, false);
    expect(withBits - without).toBeLessThan(30);
  });
});
