import { ConfigError, parseConfig } from '@rv/config';
import { registryConfigSchema } from '../registry.config';
import { rootPublisherOptionsFrom } from './root-publisher.config';

const base = { DATABASE_URL: 'postgres://rv:rv@127.0.0.1:5432/rv', KAFKA_BROKERS: '127.0.0.1:9092' };
const options = (env: Record<string, string>) => {
  const cfg = parseConfig(registryConfigSchema, { ...base, ...env });
  return rootPublisherOptionsFrom((k) => cfg[k]);
};

describe('root publisher settings', () => {
  it('is off by default and on as soon as a root authority keypair file is given', () => {
    expect(options({}).enabled).toBe(false);
    const o = options({ ROOT_AUTHORITY_KEYPAIR_FILE: '/keys/root.json' });
    expect(o).toMatchObject({
      enabled: true,
      keypairFile: '/keys/root.json',
      rpcUrl: 'http://127.0.0.1:8899',
      commitment: 'confirmed',
      topic: 'rv.registry.roots.v1',
    });
    expect(
      options({ ROOT_AUTHORITY_KEYPAIR_FILE: '/keys/root.json', ROOT_PUBLISHER_ENABLED: 'false' }).enabled,
    ).toBe(false);
  });

  it('refuses ROOT_PUBLISHER_ENABLED=true without a keypair file, naming the variable', () => {
    expect(() => options({ ROOT_PUBLISHER_ENABLED: 'true' })).toThrow(ConfigError);
    expect(() => options({ ROOT_PUBLISHER_ENABLED: 'true' })).toThrow(
      /ROOT_AUTHORITY_KEYPAIR_FILE: expected a path/,
    );
  });

  it('rejects a bad RPC URL or commitment at boot, naming the variable', () => {
    expect(() => options({ SOLANA_RPC_URL: 'ftp://x' })).toThrow(
      /^invalid configuration: SOLANA_RPC_URL: expected a http:\/\/ or https:\/\/ URL/,
    );
    expect(() => options({ ROOT_PUBLISHER_COMMITMENT: 'processed' })).toThrow(
      /ROOT_PUBLISHER_COMMITMENT: expected confirmed or finalized/,
    );
  });
});
