import { z } from 'zod';
import { ConfigError, parseConfig } from './parse-config';
import { databaseUrl, kafkaBrokers, port } from './env-types';

const schema = z.object({ DATABASE_URL: databaseUrl(), KAFKA_BROKERS: kafkaBrokers(), PORT: port(3000) });

describe('parseConfig', () => {
  it('parses good values and applies defaults', () => {
    const cfg = parseConfig(schema, {
      DATABASE_URL: 'postgres://a:b@h:5432/d',
      KAFKA_BROKERS: 'a:9092, b:9093',
    });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(cfg.PORT).toBe(3000);
  });

  it('names the variable and what was expected, without echoing the value', () => {
    const secretish = 'mysql://root:hunter2@db/x';
    try {
      parseConfig(schema, { DATABASE_URL: secretish, KAFKA_BROKERS: 'a:1' });
      throw new Error('should have failed');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toBe(
        'invalid configuration: DATABASE_URL: expected a postgres:// or postgresql:// URL such as postgres://user:password@127.0.0.1:5432/rv',
      );
      expect(msg).not.toContain('hunter2');
      expect(msg.split('\n')).toHaveLength(1);
    }
  });

  it('says when a required variable is missing', () => {
    expect(() => parseConfig(schema, { DATABASE_URL: 'postgres://h/d' })).toThrow(
      /KAFKA_BROKERS: expected a comma-separated list of host:port .* \(it is not set\)/,
    );
  });

  it('rejects an out-of-range port', () => {
    expect(() =>
      parseConfig(schema, { DATABASE_URL: 'postgres://h/d', KAFKA_BROKERS: 'a:1', PORT: '70000' }),
    ).toThrow('PORT: expected a TCP port number');
  });
});
