import { PathCache } from './path-cache';

const json = (s: string): Buffer => Buffer.from(s);

describe('PathCache', () => {
  it('keeps paths per (track, seq, index): another seq or track misses', () => {
    const c = new PathCache(1 << 20);
    c.set(1n, 5, 7, json('{"index":7}'));
    expect(c.get(1n, 5, 7)?.toString()).toBe('{"index":7}');
    expect(c.get(1n, 6, 7)).toBeUndefined();
    expect(c.get(2n, 5, 7)).toBeUndefined();
    expect(c.get(1n, 5, 8)).toBeUndefined();
    expect(c.of(1n, 5)?.size).toBe(1);
  });

  it('stays within its bytes: older seqs go first, then the oldest paths of the newest', () => {
    const one = json('x'.repeat(100));
    const c = new PathCache(5 * (100 + 160));
    for (let i = 0; i < 3; i++) c.set(1n, 1, i, one);
    for (let i = 0; i < 3; i++) c.set(1n, 2, i, one);
    // 6 entries do not fit in 5: seq 1 (older) is dropped whole.
    expect(c.of(1n, 1)).toBeUndefined();
    expect(c.size).toBe(3);
    for (let i = 3; i < 7; i++) c.set(1n, 2, i, one);
    expect(c.size).toBe(5);
    expect(c.usedBytes).toBeLessThanOrEqual(c.maxBytes);
    expect(c.get(1n, 2, 0)).toBeUndefined();
    expect(c.get(1n, 2, 6)).toBe(one);
  });

  it('caches nothing when disabled (0 bytes)', () => {
    const c = new PathCache(0);
    c.set(1n, 1, 0, json('{}'));
    expect(c.get(1n, 1, 0)).toBeUndefined();
    expect(c.usedBytes).toBe(0);
  });
});
