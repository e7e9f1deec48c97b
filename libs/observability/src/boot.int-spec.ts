import { spawnApp, testEnv } from '@rv/testing';

// Each deployable, booted as its own process the way production runs it.
const apps = ['indexer', 'registry', 'prover', 'gateway'] as const;

const baseEnv = () => ({
  ...testEnv(),
  PORT: '0',
  LOG_LEVEL: 'info',
  // the prover's test CRS setting is harmless for the others (they do not read it)
  NODE_ENV: 'test',
});

describe('app boot and shutdown (real processes)', () => {
  it.each(apps)('%s refuses to boot with a bad DATABASE_URL / KAFKA_BROKERS, in one clear line', async (app) => {
    const variable = app === 'prover' ? 'KAFKA_BROKERS' : 'DATABASE_URL';
    const p = spawnApp(app, { ...baseEnv(), [variable]: 'not a url:: secret-pw' });
    const started = Date.now();
    expect(await p.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15000);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${app}: invalid configuration: ${variable}: expected `));
    expect(p.stderr()).not.toContain('secret-pw');
  });

  it.each(apps)('%s boots, is ready, and stops cleanly on SIGTERM', async (app) => {
    const p = spawnApp(app, baseEnv());
    const url = await p.listening();
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('stopped cleanly');
  });
});
