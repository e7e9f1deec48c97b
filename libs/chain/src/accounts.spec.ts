import { createHash } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import { decodeRvAccount, encodeRvAccount, rvAccountSize, TrackAccount, trackHasRoot } from '.';

const disc = (s: string) => [...createHash('sha256').update(s).digest().subarray(0, 8)];
const b32 = (fill: number) => new Uint8Array(32).fill(fill);

function track(roots: Uint8Array[], rootCount: number, rootHead: number): TrackAccount {
  return {
    trackId: 0x0102030405060708n,
    leafCount: 9n,
    lastSeq: 12n,
    mint: Keypair.generate().publicKey,
    roots: [...roots, ...Array.from({ length: 64 - roots.length }, () => new Uint8Array(32))],
    rootHead,
    rootCount,
    depth: 20,
    bump: 254,
    padding: new Uint8Array(4),
  };
}

describe('rainbow_veil accounts', () => {
  it('sizes match what the program allocates (8 + INIT_SPACE, Track 8 + 2112)', () => {
    expect(rvAccountSize('Config')).toBe(8 + 32 + 32 + 1);
    expect(rvAccountSize('Identity')).toBe(8 + 32 + 32 + 1);
    expect(rvAccountSize('NullifierRecord')).toBe(8 + 8 + 32 * 3 + 32 + 8 + 1);
    expect(rvAccountSize('Track')).toBe(8 + 2112);
  });

  it('lays out Track as repr(C): u64s, mint, 64 roots, then head/count/depth/bump', () => {
    const t = track([b32(0xaa), b32(0xbb)], 2, 2);
    const bytes = encodeRvAccount({ name: 'Track', data: t });
    expect([...bytes.subarray(0, 8)]).toEqual(disc('account:Track'));
    expect([...bytes.subarray(8, 16)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(bytes[24]).toBe(12); // last_seq
    expect(bytes.subarray(32, 64)).toEqual(t.mint.toBytes());
    expect(bytes.subarray(64, 96)).toEqual(b32(0xaa));
    expect(bytes.subarray(96, 128)).toEqual(b32(0xbb));
    expect([...bytes.subarray(8 + 2104, 8 + 2112)]).toEqual([2, 2, 20, 254, 0, 0, 0, 0]);
    expect(decodeRvAccount(bytes)).toEqual({ ok: true, value: { name: 'Track', data: t } });
  });

  it('trackHasRoot consults only the roots the track holds', () => {
    const t = track([b32(1), b32(2)], 2, 2);
    expect(trackHasRoot(t, b32(1))).toBe(true);
    expect(trackHasRoot(t, b32(2))).toBe(true);
    expect(trackHasRoot(t, b32(3))).toBe(false);
    expect(trackHasRoot(t, new Uint8Array(32))).toBe(false); // empty slots are not roots
  });

  it('returns error values for short, long and foreign data', () => {
    const cfg = encodeRvAccount({
      name: 'Config',
      data: { rootAuthority: Keypair.generate().publicKey, verifier: Keypair.generate().publicKey, bump: 1 },
    });
    const code = (d: Uint8Array) => {
      const r = decodeRvAccount(d);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(cfg)).toBe('ok');
    expect(code(cfg.subarray(0, 40))).toBe('truncated');
    expect(code(Buffer.concat([cfg, Buffer.from([0])]))).toBe('trailing_bytes');
    expect(code(new Uint8Array(165))).toBe('unknown_discriminator');
    expect(code(new Uint8Array(4))).toBe('truncated');
  });

  it('refuses to encode a ring of the wrong length', () => {
    const t = track([], 0, 0);
    expect(() => encodeRvAccount({ name: 'Track', data: { ...t, roots: t.roots.slice(1) } })).toThrow(
      RangeError,
    );
  });
});
