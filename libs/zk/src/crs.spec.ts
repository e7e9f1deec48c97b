import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { assertCrsAllowed, CrsError, IGNITION_G1_POINT_1 } from './crs';
import { OwnershipProver } from './ownership-prover';

const testCrs = ensureTestCrs();
const be32 = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');

describe('CRS guard', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rv-zk-crs-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('the prover refuses to start with the test CRS unless allowTestCrs is on', async () => {
    await expect(OwnershipProver.create({ crsPath: testCrs, warmUp: false })).rejects.toThrow(
      /not Aztec's Ignition CRS/,
    );
  }, 60_000);

  it('allowTestCrs is refused in production mode, before anything is loaded', async () => {
    await expect(
      OwnershipProver.create({ crsPath: testCrs, allowTestCrs: true, production: true, warmUp: false }),
    ).rejects.toThrow(/refused in production/);
  });

  it('with allowTestCrs (not production) the prover starts and reports a test CRS', async () => {
    const prover = await OwnershipProver.create({ crsPath: testCrs, allowTestCrs: true, warmUp: false });
    try {
      expect(prover.crsKind).toBe('test');
    } finally {
      await prover.destroy();
    }
  }, 60_000);

  it("accepts a CRS whose point 1 is Ignition's without allowTestCrs, and in production", () => {
    const g1 = readFileSync(join(testCrs, 'bn254_g1.dat')).subarray(0, 64 * 4);
    const ignitionLike = Buffer.concat([
      g1.subarray(0, 64),
      be32(IGNITION_G1_POINT_1.x),
      be32(IGNITION_G1_POINT_1.y),
      g1.subarray(128),
    ]);
    writeFileSync(join(tmp, 'bn254_g1.dat'), ignitionLike);
    expect(assertCrsAllowed({ crsPath: tmp, allowTestCrs: false, production: true })).toBe('ignition');
    expect(() => assertCrsAllowed({ crsPath: testCrs, allowTestCrs: false, production: true })).toThrow(
      CrsError,
    );
    expect(() => assertCrsAllowed({ crsPath: testCrs, allowTestCrs: true, production: true })).toThrow(
      CrsError,
    );
  });

  it('refuses a CRS whose point 0 is not the generator', () => {
    const g1 = Buffer.from(readFileSync(join(testCrs, 'bn254_g1.dat')).subarray(0, 64 * 4));
    g1.set(be32(IGNITION_G1_POINT_1.x), 64);
    g1.set(be32(IGNITION_G1_POINT_1.y), 96);
    g1[63] = 3;
    writeFileSync(join(tmp, 'bn254_g1.dat'), g1);
    expect(() => assertCrsAllowed({ crsPath: tmp, allowTestCrs: true, production: false })).toThrow(
      /point 0/,
    );
  });

  it('a missing or too small CRS is an error, never a download', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      await expect(
        OwnershipProver.create({ crsPath: tmp, allowTestCrs: true, warmUp: false }),
      ).rejects.toThrow(/no CRS with \d+ points/);
      const small = join(tmp, 'small');
      ensureTestCrs(small, 100);
      await expect(
        OwnershipProver.create({ crsPath: small, allowTestCrs: true, warmUp: false }),
      ).rejects.toThrow(/no CRS/);
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(readdirSync(tmp).filter((f) => f.endsWith('.dat'))).toEqual([]);
    } finally {
      fetchSpy.mockRestore();
    }
  }, 60_000);

  it('a G2 file that does not match the G1 powers fails the start-up self-test', async () => {
    copyFileSync(join(testCrs, 'bn254_g1.dat'), join(tmp, 'bn254_g1.dat'));
    const g2 = readFileSync(join(testCrs, 'bn254_g2.dat'));
    // -tau·G2: still on the curve, wrong tau.
    const p = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
    const neg = (b: Buffer): Buffer => be32((p - BigInt('0x' + b.toString('hex'))) % p);
    writeFileSync(
      join(tmp, 'bn254_g2.dat'),
      Buffer.concat([g2.subarray(0, 64), neg(g2.subarray(64, 96)), neg(g2.subarray(96, 128))]),
    );
    await expect(OwnershipProver.create({ crsPath: tmp, allowTestCrs: true })).rejects.toThrow(/self-test/);
  }, 120_000);
});
