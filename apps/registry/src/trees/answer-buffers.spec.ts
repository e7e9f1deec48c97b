import { AnswerBuffers } from './answer-buffers';

describe('AnswerBuffers', () => {
  it('lends a buffer of the exact size and lends the same memory again once given back', () => {
    const pool = new AnswerBuffers(1024, 2, 100);
    const a = pool.take(600);
    expect(a.length).toBe(600);
    a.fill(7);
    pool.give(a);
    expect(pool.idle).toBe(1);
    const b = pool.take(900);
    expect(b.length).toBe(900);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idle).toBe(0);
  });

  it('never lends one buffer twice at a time', () => {
    const pool = new AnswerBuffers(1024, 4, 100);
    const a = pool.take(500);
    const b = pool.take(500);
    expect(b.buffer).not.toBe(a.buffer);
  });

  it('leaves small and oversized answers to ordinary allocation, and ignores foreign buffers', () => {
    const pool = new AnswerBuffers(1024, 4, 100);
    const small = pool.take(50);
    const big = pool.take(5000);
    expect([small.length, big.length]).toEqual([50, 5000]);
    pool.give(small);
    pool.give(big);
    pool.give(Buffer.allocUnsafeSlow(2048).subarray(0, 1024));
    expect(pool.idle).toBe(0);
  });

  it('keeps at most maxIdle buffers', () => {
    const pool = new AnswerBuffers(1024, 2, 100);
    const lent = [pool.take(200), pool.take(200), pool.take(200)];
    for (const b of lent) pool.give(b);
    expect(pool.idle).toBe(2);
  });
});
