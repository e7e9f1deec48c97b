import { spawnApp, testEnv } from '@rv/testing';

// Each deployable, booted as its own process the way production runs it. (Booting healthy with
// every dependency and stopping cleanly: tools/demo/test/stack.e2e-spec.ts.)
const apps = ['indexer', 'registry', 'prover', 'gateway'] as const;

const baseEnv = () => ({
  ...testEnv(),
  PORT: '0',
  LOG_LEVEL: 'info',
  // the prover's test CRS setting is harmless for the others (they do not read it)
  NODE_ENV: 'test',
});

describe('app boot with bad configuration (real processes)', () => {
  it.each(apps)(
    '%s refuses to boot with a bad DATABASE_URL / KAFKA_BROKERS, in one clear line',
    async (app) => {
      const variable = app === 'prover' ? 'KAFKA_BROKERS' : 'DATABASE_URL';
      const p = spawnApp(app, { ...baseEnv(), [variable]: 'not a url:: secret-pw' });
      const started = Date.now();
      expect(await p.exited).toBe(1);
      expect(Date.now() - started).toBeLessThan(15000);
      const lines = p.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${app}: invalid configuration: ${variable}: expected `));
      expect(p.stderr()).not.toContain('secret-pw');
    },
  );
});
