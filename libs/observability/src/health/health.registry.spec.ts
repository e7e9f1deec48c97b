import { HealthRegistry } from './health.registry';

const ok = async () => undefined;
const fail = (msg: string) => async () => {
  throw new Error(msg);
};

describe('HealthRegistry', () => {
  it('is ready when every check answers', async () => {
    const h = new HealthRegistry();
    h.register({ name: 'postgres', check: ok });
    h.register({ name: 'kafka', check: ok });
    expect(await h.readiness()).toEqual({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok' } });
  });

  it('is unavailable when a critical check fails, naming it', async () => {
    const h = new HealthRegistry();
    h.register({ name: 'postgres', check: fail('connect ECONNREFUSED') });
    h.register({ name: 'kafka', check: ok });
    expect(await h.readiness()).toEqual({
      status: 'unavailable',
      checks: { postgres: 'error: connect ECONNREFUSED', kafka: 'ok' },
    });
  });

  it('stays ready but degraded when only a non-critical check fails', async () => {
    const h = new HealthRegistry();
    h.register({ name: 'postgres', check: ok });
    h.register({ name: 'solana', check: fail('rpc down'), critical: false });
    expect(await h.readiness()).toEqual({
      status: 'ok',
      degraded: true,
      checks: { postgres: 'ok', solana: 'error: rpc down' },
    });
  });

  it('times out a check that does not answer', async () => {
    const h = new HealthRegistry();
    h.register({ name: 'redis', check: () => new Promise(() => undefined) });
    const r = await h.readiness(50);
    expect(r.status).toBe('unavailable');
    expect(r.checks.redis).toBe('error: no answer within 50 ms');
  });

  it('reports unready once shutdown has started', async () => {
    const h = new HealthRegistry();
    h.register({ name: 'postgres', check: ok });
    h.markShuttingDown();
    expect((await h.readiness()).status).toBe('unavailable');
  });
});
