import * as fs from 'fs';
import { CONFIG_DOC, renderConfigDoc } from './generate';

describe('docs/configuration.md', () => {
  it('lists every setting exactly as the apps validate them (regenerate with npm run docs:config)', () => {
    expect(fs.readFileSync(CONFIG_DOC, 'utf8')).toBe(renderConfigDoc());
  });

  it('names the connection settings of the README', () => {
    const doc = renderConfigDoc();
    for (const v of [
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'REDIS_URL',
      'GEYSER_ENDPOINT',
      'GEYSER_X_TOKEN',
      'SOLANA_RPC_URL',
    ]) {
      expect(doc).toContain(`| \`${v}\` |`);
    }
  });
});
