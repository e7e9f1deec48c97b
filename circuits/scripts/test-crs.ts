// Deterministic, PUBLICLY INSECURE test CRS for offline tests (never for production: anyone can
// forge proofs against it because tau is printed below). Written in the file format that
// @aztec/bb.js 1.2.1's CRS loader (src/crs/node/index.ts) reads from a `crsPath` folder:
//
//   bn254_g1.dat  n points tau^i·G1 (i = 0..n-1), 64 bytes each: x || y, 32-byte big-endian;
//                 point 0 is the generator (1, 2). bb.js uses the cached file when its size is
//                 >= (circuit size + 1) · 64 and a multiple of 64; otherwise it DOWNLOADS.
//   bn254_g2.dat  tau·G2 as x.c0 || x.c1 || y.c0 || y.c1, 32-byte big-endian (exactly 128 bytes,
//                 bb.js checks the size).
//
// Grumpkin files (grumpkin_g1.flat.dat, grumpkin_size) are read only by AztecClientBackend
// (ClientIVC); UltraHonkBackend never opens them, so they are not generated.
//
//   node -r @swc-node/register circuits/scripts/test-crs.ts [dir] [points]
//   (defaults: .local/crs-test, 65537 points; regenerates only if missing or too small)
//   node -r @swc-node/register circuits/scripts/test-crs.ts --check [dir]
//   (re-checks a folder with curve arithmetic and a pairing; exit code 1 on a bad CRS)
//
// @noble/curves 2.x is ESM-only: plain Node (>= 20.19) can require() it, jest's module system
// cannot. So `ensureTestCrs` (used by specs) only inspects files itself and runs this script in
// a child process when it has to generate.
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';

/** Public test tau. Small on purpose: P_{i+1} = tau·P_i is then a double and an add. */
export const TEST_CRS_TAU = 3n;
export const DEFAULT_TEST_CRS_POINTS = 2 ** 16 + 1;
export const DEFAULT_TEST_CRS_DIR = resolve(__dirname, '..', '..', '.local', 'crs-test');

type Bn254 = typeof import('@noble/curves/bn254.js').bn254;

function loadBn254(): Bn254 {
  // @noble/curves 2.x is ESM-only; Node >= 20.19 can require() it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@noble/curves/bn254.js') as typeof import('@noble/curves/bn254.js')).bn254;
}

function be32(value: bigint, out: Uint8Array, offset: number): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** bn254_g1.dat bytes: tau^i·G for i < points. Batch-normalised (one field inversion overall). */
export function testCrsG1(points: number, tau: bigint = TEST_CRS_TAU): Uint8Array {
  const bn254 = loadBn254();
  const Fp = bn254.fields.Fp;
  const G1 = bn254.G1.Point;
  const projective = new Array<InstanceType<typeof G1>>(points);
  let p = G1.BASE;
  for (let i = 0; i < points; i++) {
    projective[i] = p;
    p = p.multiplyUnsafe(tau);
  }
  const zInv = Fp.invertBatch(projective.map((q) => q.Z));
  const out = new Uint8Array(points * 64);
  for (let i = 0; i < points; i++) {
    const q = projective[i]!;
    const zi = zInv[i]!;
    be32(Fp.mul(q.X, zi), out, i * 64);
    be32(Fp.mul(q.Y, zi), out, i * 64 + 32);
  }
  return out;
}

/** bn254_g2.dat bytes: tau·G2. */
export function testCrsG2(tau: bigint = TEST_CRS_TAU): Uint8Array {
  const bn254 = loadBn254();
  const { x, y } = bn254.G2.Point.BASE.multiply(tau).toAffine();
  const out = new Uint8Array(128);
  be32(x.c0, out, 0);
  be32(x.c1, out, 32);
  be32(y.c0, out, 64);
  be32(y.c1, out, 96);
  return out;
}

interface Meta {
  tau: string;
  points: number;
}

function isReady(dir: string, points: number): boolean {
  const g1Path = join(dir, 'bn254_g1.dat');
  const g2Path = join(dir, 'bn254_g2.dat');
  const metaPath = join(dir, 'test-crs.json');
  if (!existsSync(g1Path) || !existsSync(g2Path) || !existsSync(metaPath)) return false;
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
  return (
    meta.tau === TEST_CRS_TAU.toString() &&
    statSync(g1Path).size >= points * 64 &&
    statSync(g2Path).size === 128
  );
}

/**
 * Makes sure `dir` holds a test CRS with at least `points` G1 points (generated with the
 * public TEST_CRS_TAU), generating it in a child Node process if needed. Returns the folder.
 */
export function ensureTestCrs(
  dir: string = DEFAULT_TEST_CRS_DIR,
  points: number = DEFAULT_TEST_CRS_POINTS,
): string {
  if (!isReady(dir, points)) {
    execFileSync(process.execPath, ['-r', '@swc-node/register', __filename, dir, String(points)], {
      cwd: resolve(__dirname, '..', '..'),
      stdio: 'pipe',
    });
  }
  return dir;
}

/** Writes the test CRS into `dir` (in this process: needs @noble/curves, i.e. plain Node). */
export function writeTestCrs(dir: string, points: number): void {
  const g1Path = join(dir, 'bn254_g1.dat');
  const g2Path = join(dir, 'bn254_g2.dat');
  const metaPath = join(dir, 'test-crs.json');
  mkdirSync(dir, { recursive: true });
  // Write to temp names then rename, so a concurrent reader never sees half a file.
  writeFileSync(`${g1Path}.tmp`, testCrsG1(points));
  writeFileSync(`${g2Path}.tmp`, testCrsG2());
  renameSync(`${g1Path}.tmp`, g1Path);
  renameSync(`${g2Path}.tmp`, g2Path);
  writeFileSync(metaPath, `${JSON.stringify({ tau: TEST_CRS_TAU.toString(), points } satisfies Meta)}\n`);
}

/** Independent check of a CRS folder: on-curve points, P_i = tau·P_(i-1), e(P_1, G2) = e(G1, X2). */
export function checkTestCrs(dir: string, tau: bigint = TEST_CRS_TAU): string[] {
  const bn254 = loadBn254();
  const problems: string[] = [];
  const g1 = readFileSync(join(dir, 'bn254_g1.dat'));
  const g2 = readFileSync(join(dir, 'bn254_g2.dat'));
  const n = g1.length / 64;
  const big = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
  const at = (i: number) =>
    bn254.G1.Point.fromAffine({
      x: big(g1.subarray(i * 64, i * 64 + 32)),
      y: big(g1.subarray(i * 64 + 32, i * 64 + 64)),
    });
  if (!at(0).equals(bn254.G1.Point.BASE)) problems.push('point 0 is not the generator (1, 2)');
  for (const i of [1, 2, 3, n >> 1, n - 1]) {
    try {
      if (!at(i).equals(at(i - 1).multiply(tau))) problems.push(`point ${i} is not tau times point ${i - 1}`);
    } catch (e) {
      problems.push(`point ${i}: ${(e as Error).message}`);
    }
  }
  try {
    const Fp2 = bn254.fields.Fp2;
    const x2 = bn254.G2.Point.fromAffine({
      x: Fp2.create({ c0: big(g2.subarray(0, 32)), c1: big(g2.subarray(32, 64)) }),
      y: Fp2.create({ c0: big(g2.subarray(64, 96)), c1: big(g2.subarray(96, 128)) }),
    });
    x2.assertValidity();
    const lhs = bn254.pairing(at(1), bn254.G2.Point.BASE);
    const rhs = bn254.pairing(bn254.G1.Point.BASE, x2);
    if (!bn254.fields.Fp12.eql(lhs, rhs)) problems.push('pairing check e(P1, G2) = e(G1, X2) fails');
  } catch (e) {
    problems.push(`bn254_g2.dat: ${(e as Error).message}`);
  }
  return problems;
}

if (require.main === module) {
  if (process.argv[2] === '--check') {
    const dir = resolve(process.argv[3] ?? DEFAULT_TEST_CRS_DIR);
    const problems = checkTestCrs(dir);
    console.log(problems.length === 0 ? `CRS in ${dir}: ok` : problems.join('\n'));
    process.exit(problems.length === 0 ? 0 : 1);
  }
  const dir = resolve(process.argv[2] ?? DEFAULT_TEST_CRS_DIR);
  const points = Number(process.argv[3] ?? DEFAULT_TEST_CRS_POINTS);
  const t0 = Date.now();
  if (!isReady(dir, points)) writeTestCrs(dir, points);
  console.log(`test CRS (tau = ${TEST_CRS_TAU}, ${points} points) ready in ${dir} (${Date.now() - t0} ms)`);
}
