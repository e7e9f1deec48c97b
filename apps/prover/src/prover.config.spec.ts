import { ConfigError, parseConfig } from '@rv/config';
import { checkProverConfig, proverConfigSchema } from './prover.config';

describe('prover config', () => {
  const base = {
    NODE_ENV: 'development' as const,
    ALLOW_TEST_CRS: false,
    PROVER_KAFKA_ENABLED: true,
    PROVER_JOB_KEY_FILE: 'keys/prover-job-key.pem',
  };

  it('requires PROVER_JOB_KEY_FILE when the Kafka job interface is on', () => {
    expect(() => checkProverConfig({ ...base, PROVER_JOB_KEY_FILE: undefined })).toThrow(ConfigError);
    expect(() => checkProverConfig({ ...base, PROVER_JOB_KEY_FILE: undefined })).toThrow(
      /PROVER_JOB_KEY_FILE: expected a path to the X25519 job key file/,
    );
    expect(
      checkProverConfig({ ...base, PROVER_KAFKA_ENABLED: false, PROVER_JOB_KEY_FILE: undefined }),
    ).toBeDefined();
    expect(checkProverConfig(base)).toBe(base);
  });

  it('refuses ALLOW_TEST_CRS in production', () => {
    expect(() => checkProverConfig({ ...base, NODE_ENV: 'production', ALLOW_TEST_CRS: true })).toThrow(
      /ALLOW_TEST_CRS/,
    );
  });

  it('reads PROVER_JOB_KEY_FILE from the environment (unset by default)', () => {
    expect(
      parseConfig(proverConfigSchema, { KAFKA_BROKERS: '127.0.0.1:9092' }).PROVER_JOB_KEY_FILE,
    ).toBeUndefined();
    expect(
      parseConfig(proverConfigSchema, { KAFKA_BROKERS: '127.0.0.1:9092', PROVER_JOB_KEY_FILE: '/k.pem' })
        .PROVER_JOB_KEY_FILE,
    ).toBe('/k.pem');
  });
});
