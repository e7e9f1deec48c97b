import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { ensureTestCrs, TEST_CRS_TAU } from './test-crs';

// Independent affine arithmetic on BN254 G1 (y^2 = x^3 + 3 over Fp): no shared code with the generator.
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;
const inv = (a: bigint): bigint => {
  let [r0, r1, s0, s1] = [mod(a), P, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0);
};
type Pt = [bigint, bigint];
const add = ([x1, y1]: Pt, [x2, y2]: Pt): Pt => {
  const l = x1 === x2 ? mod(3n * x1 * x1 * inv(2n * y1)) : mod((y2 - y1) * inv(x2 - x1));
  const x3 = mod(l * l - x1 - x2);
  return [x3, mod(l * (x1 - x3) - y1)];
};
const mul = (k: bigint, p: Pt): Pt => {
  let acc: Pt | null = null;
  for (let bit = k.toString(2), i = 0; i < bit.length; i++) {
    if (acc) acc = add(acc, acc);
    if (bit[i] === '1') acc = acc ? add(acc, p) : p;
  }
  return acc!;
};
const big = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
const point = (g1: Uint8Array, i: number): Pt => [
  big(g1.subarray(i * 64, i * 64 + 32)),
  big(g1.subarray(i * 64 + 32, i * 64 + 64)),
];
const check = (dir: string): void => {
  execFileSync(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'test-crs.ts'), '--check', dir],
    {
      cwd: resolve(__dirname, '..', '..'),
      stdio: 'pipe',
    },
  );
};

describe('test CRS generator (bb.js 1.2.1 file format)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rv-crs-'));
    ensureTestCrs(dir, 64);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bn254_g1.dat: 64 bytes a point, big-endian x || y, point 0 = (1, 2), point i = tau^i·G', () => {
    const g1 = readFileSync(join(dir, 'bn254_g1.dat'));
    expect(g1.length).toBe(64 * 64);
    expect(point(g1, 0)).toEqual([1n, 2n]);
    for (const i of [1, 2, 5, 63]) {
      const [x, y] = point(g1, i);
      expect(mod(y * y)).toBe(mod(x * x * x + 3n));
      expect([x, y]).toEqual(mul(TEST_CRS_TAU ** BigInt(i), [1n, 2n]));
    }
  });

  it('bn254_g2.dat is 128 bytes and passes the pairing check e(tau·G1, G2) = e(G1, tau·G2)', () => {
    expect(statSync(join(dir, 'bn254_g2.dat')).size).toBe(128);
    expect(() => check(dir)).not.toThrow();
  }, 60_000);

  it('the check rejects a G2 point that is not tau·G2', () => {
    const bad = mkdtempSync(join(tmpdir(), 'rv-crs-bad-'));
    try {
      writeFileSync(join(bad, 'bn254_g1.dat'), readFileSync(join(dir, 'bn254_g1.dat')));
      const g2 = readFileSync(join(dir, 'bn254_g2.dat'));
      writeFileSync(join(bad, 'bn254_g2.dat'), Buffer.concat([g2.subarray(64), g2.subarray(0, 64)]));
      expect(() => check(bad)).toThrow();
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  }, 60_000);

  it('ensureTestCrs keeps a big enough CRS and regrows one that is too small', () => {
    const before = statSync(join(dir, 'bn254_g1.dat')).mtimeMs;
    ensureTestCrs(dir, 32);
    expect(statSync(join(dir, 'bn254_g1.dat')).mtimeMs).toBe(before);
    ensureTestCrs(dir, 100);
    const g1 = readFileSync(join(dir, 'bn254_g1.dat'));
    expect(g1.length).toBe(100 * 64);
    expect(point(g1, 99)).toEqual(mul(TEST_CRS_TAU ** 99n, [1n, 2n]));
  }, 60_000);
});
