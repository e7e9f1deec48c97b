import * as fs from 'fs';
import { PROVER_JOBS_TOPIC, PROVER_RESULTS_TOPIC, RV_TOPICS } from '@rv/events';
import { ASYNCAPI_FILE, buildAsyncApi, renderAsyncApi } from './generate';

describe('AsyncAPI document of the rv.* topics', () => {
  it('is committed exactly as the events lib generates it (no drift)', () => {
    expect(fs.readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApi());
  });

  it('documents every topic of the events lib, with its dead-letter topic', () => {
    const doc = buildAsyncApi() as { channels: Record<string, { address: string }> };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    for (const topic of [...RV_TOPICS, PROVER_JOBS_TOPIC, PROVER_RESULTS_TOPIC]) {
      expect(addresses).toContain(topic);
      expect(addresses).toContain(`${topic}.dlq`);
    }
  });

  it('requires the schema version in every value of a versioned envelope', () => {
    const doc = buildAsyncApi() as {
      components: {
        messages: Record<
          string,
          { name: string; payload: { required?: string[]; oneOf?: { required: string[] }[] } }
        >;
      };
    };
    for (const m of Object.values(doc.components.messages).filter((x) =>
      (RV_TOPICS as readonly string[]).includes(x.name),
    )) {
      const variants = m.payload.oneOf ?? [m.payload];
      for (const v of variants) expect(v.required).toContain('v');
    }
  });
});
