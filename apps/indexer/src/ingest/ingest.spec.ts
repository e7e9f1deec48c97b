import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { Ingest } from './ingest';

describe('Ingest.streamHealth (readiness of the Yellowstone stream)', () => {
  const ingest = () =>
    new Ingest({
      pool: {} as Pool,
      producer: {} as Producer,
      chainUpdatesTopic: 't',
      geyserEndpoint: 'http://geyser.invalid:10000',
      rpcUrl: 'http://127.0.0.1:8899',
      name: 'spec',
      staleAfterMs: 30_000,
    });

  it('is fine within the grace period and reports a stream that never came up after it', () => {
    const i = ingest();
    const now = Date.now();
    expect(i.streamHealth(now + 10_000).problem).toBeUndefined();
    expect(i.streamHealth(now + 45_000).problem).toMatch(
      /^stream to http:\/\/geyser\.invalid:10000 down for 4[5-6] s \(0 reconnects\)$/,
    );
  });

  it('reports a silent stream, and nothing once the ingest is stopped', async () => {
    const i = ingest();
    const now = Date.now();
    i['state'] = 'streaming';
    i['lastUpdateAt'] = now;
    expect(i.streamHealth(now + 29_000).problem).toBeUndefined();
    expect(i.streamHealth(now + 31_000).problem).toBe('no update from http://geyser.invalid:10000 for 31 s');
    await i.stop();
    expect(i.streamHealth(now + 120_000)).toMatchObject({ state: 'stopped' });
    expect(i.streamHealth(now + 120_000).problem).toBeUndefined();
  });
});
