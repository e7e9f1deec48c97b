import { closeSync, openSync, readSync, statSync } from 'fs';
import { join } from 'path';

/**
 * Point 1 (tau·G1) of Aztec's Ignition CRS. A CRS whose point 1 differs was made with another
 * tau; the test CRS (circuits/scripts/test-crs.ts) publishes its tau, so anyone could forge
 * proofs against it.
 */
export const IGNITION_G1_POINT_1 = {
  x: 0x2d360628289ff943ff6bd1a87bbe4e62abe7fb61ba83effd266f22bdcf31e6f9n,
  y: 0x26b92a79e563c3f48252cce7feeca2f0f8d33dcb4ef7b0643bf07bd405700aaan,
} as const;

export class CrsError extends Error {
  override readonly name = 'CrsError';
}

export interface CrsPolicy {
  /** Folder with bn254_g1.dat / bn254_g2.dat (bb.js's `crsPath`). */
  crsPath: string;
  /** Accept a CRS that is not Ignition's (tests only). */
  allowTestCrs: boolean;
  /** Production mode: allowTestCrs is refused outright. */
  production: boolean;
}

export type CrsKind = 'ignition' | 'test';

export interface CrsFiles {
  g1Points: number;
  g2Bytes: number;
}

/** Sizes of the CRS files in `crsPath` (0 when missing). */
export function crsFiles(crsPath: string): CrsFiles {
  const size = (f: string): number => {
    try {
      return statSync(join(crsPath, f)).size;
    } catch {
      return 0;
    }
  };
  const g1 = size('bn254_g1.dat');
  return { g1Points: g1 % 64 === 0 ? g1 / 64 : 0, g2Bytes: size('bn254_g2.dat') };
}

/** Whether bb.js 1.2.1 would use these files as they are (otherwise it downloads). */
export function crsHasPoints(crsPath: string, points: number): boolean {
  const f = crsFiles(crsPath);
  return f.g1Points >= points && f.g2Bytes === 128;
}

/** Reads G1 point `index` (x, y big-endian) from bn254_g1.dat. */
export function readCrsG1Point(crsPath: string, index: number): { x: bigint; y: bigint } {
  const buf = Buffer.alloc(64);
  const fd = openSync(join(crsPath, 'bn254_g1.dat'), 'r');
  try {
    if (readSync(fd, buf, 0, 64, index * 64) !== 64)
      throw new CrsError(`CRS in ${crsPath} has no G1 point ${index}`);
  } finally {
    closeSync(fd);
  }
  return {
    x: BigInt('0x' + buf.subarray(0, 32).toString('hex')),
    y: BigInt('0x' + buf.subarray(32).toString('hex')),
  };
}

/** Throws if the policy itself is invalid (a test CRS allowed in production). */
export function assertCrsPolicy(policy: Pick<CrsPolicy, 'allowTestCrs' | 'production'>): void {
  if (policy.production && policy.allowTestCrs) {
    throw new CrsError('allowTestCrs is refused in production mode: production proofs need the Ignition CRS');
  }
}

/**
 * The guard: refuses a CRS whose point 1 is not Ignition's unless a test CRS is explicitly
 * allowed (and never in production). Call it on the files bb.js will read, before proving.
 */
export function assertCrsAllowed(policy: CrsPolicy): CrsKind {
  assertCrsPolicy(policy);
  const p0 = readCrsG1Point(policy.crsPath, 0);
  if (p0.x !== 1n || p0.y !== 2n)
    throw new CrsError(`CRS in ${policy.crsPath}: point 0 is not the generator (1, 2)`);
  const p1 = readCrsG1Point(policy.crsPath, 1);
  if (p1.x === IGNITION_G1_POINT_1.x && p1.y === IGNITION_G1_POINT_1.y) return 'ignition';
  if (!policy.allowTestCrs) {
    throw new CrsError(
      `CRS in ${policy.crsPath} is not Aztec's Ignition CRS (point 1 differs); refusing to prove with it` +
        ' (a test CRS needs the explicit allowTestCrs setting, which production refuses)',
    );
  }
  return 'test';
}
