import * as path from 'path';
import { createTestSchema, testEnv } from '@rv/testing';
import { ensureTestCrs } from '../../../circuits/scripts/test-crs';
import { ensureDemoKeys } from '../src/demo-keys';
import { ROOT, startStack, type Stack } from '../src/stack';

// Every deployable as its own process with its real dependencies (PostgreSQL, Kafka, Redis, the
// local chain): each reports ready, serves metrics, and stops cleanly (exit 0) on SIGTERM.
describe('the four apps as processes', () => {
  let stack: Stack | undefined;
  let dropSchema: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await stack?.stop();
    await dropSchema?.();
  });

  it('boot ready with their dependencies, serve metrics, and drain and exit 0 on SIGTERM', async () => {
    const { schema, drop } = await createTestSchema('stack');
    dropSchema = drop;
    const local = path.join(ROOT, '.local');
    stack = await startStack({
      infra: testEnv(),
      schema,
      keys: ensureDemoKeys(path.join(local, 'keys', 'test-stack'), 'rv-stack-spec'),
      crsPath: ensureTestCrs(path.join(local, 'crs-test')),
      allowTestCrs: true,
      logDir: path.join(local, 'logs', schema),
      groupSuffix: schema,
    });
    for (const app of ['registry', 'indexer', 'prover', 'gateway'] as const) {
      const url = stack.urls[app];
      const ready = await fetch(`${url}/health/ready`);
      expect({ app, status: ready.status }).toEqual({ app, status: 200 });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`app="${app}"`);
    }
    const codes = await stack.stop('SIGTERM');
    stack = undefined;
    expect(codes).toEqual({ registry: 0, indexer: 0, prover: 0, gateway: 0, localnet: 0 });
  }, 240_000);
});
