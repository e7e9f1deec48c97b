import { parseConfig } from '@rv/config';
import { proverConfigSchema } from '../prover.config';
import { defaultBbThreads } from './bb-threads';

describe('bb.js threads per proving worker', () => {
  it('divides the cores among the workers, at least one thread each', () => {
    expect(defaultBbThreads(1, 2)).toBe(2);
    expect(defaultBbThreads(2, 2)).toBe(1);
    expect(defaultBbThreads(3, 2)).toBe(1);
    expect(defaultBbThreads(2, 8)).toBe(4);
    expect(defaultBbThreads(1, 1)).toBe(1);
  });

  it('PROVER_BB_THREADS is unset by default (the cores decide) and a positive integer when set', () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(parseConfig(proverConfigSchema, env).PROVER_BB_THREADS).toBeUndefined();
    expect(parseConfig(proverConfigSchema, { ...env, PROVER_BB_THREADS: '1' }).PROVER_BB_THREADS).toBe(1);
    expect(() => parseConfig(proverConfigSchema, { ...env, PROVER_BB_THREADS: '0' })).toThrow(
      /PROVER_BB_THREADS/,
    );
  });
});
