import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, parseConfig } from '@rv/config';
import { checkGatewayConfig, DEVELOPMENT_PEPPER, gatewayConfigSchema, loadPepper } from './gateway.config';

const base = { DATABASE_URL: 'postgres://h/d', REDIS_URL: 'redis://h:1' };

describe('gateway config', () => {
  it('production refuses to boot without a pepper, naming API_KEY_PEPPER_FILE', () => {
    const cfg = parseConfig(gatewayConfigSchema, { ...base, NODE_ENV: 'production' });
    expect(() => checkGatewayConfig(cfg)).toThrow(ConfigError);
    expect(() => checkGatewayConfig(cfg)).toThrow(/API_KEY_PEPPER_FILE/);
  });

  it('reads the pepper from a file (trimmed) before the variable; outside production falls back to the public development pepper', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rv-pepper-')), 'pepper');
    fs.writeFileSync(file, `${'s'.repeat(40)}\n`);
    expect(
      loadPepper({
        API_KEY_PEPPER_FILE: file,
        API_KEY_PEPPER: 'v'.repeat(40),
        NODE_ENV: 'production',
      }).toString(),
    ).toBe('s'.repeat(40));
    expect(
      loadPepper({
        API_KEY_PEPPER_FILE: undefined,
        API_KEY_PEPPER: 'v'.repeat(40),
        NODE_ENV: 'production',
      }).toString(),
    ).toBe('v'.repeat(40));
    expect(
      loadPepper({
        API_KEY_PEPPER_FILE: undefined,
        API_KEY_PEPPER: undefined,
        NODE_ENV: 'development',
      }).toString(),
    ).toBe(DEVELOPMENT_PEPPER);
    fs.writeFileSync(file, 'short');
    expect(() =>
      loadPepper({ API_KEY_PEPPER_FILE: file, API_KEY_PEPPER: undefined, NODE_ENV: 'production' }),
    ).toThrow(/at least 32/);
  });

  it('rejects malformed plans and a test CRS in production', () => {
    expect(() =>
      parseConfig(gatewayConfigSchema, { ...base, API_PLANS: '{"free": {"perMinute": -1}}' }),
    ).toThrow(/API_PLANS/);
    const cfg = parseConfig(gatewayConfigSchema, {
      ...base,
      NODE_ENV: 'production',
      API_KEY_PEPPER: 'p'.repeat(32),
      ALLOW_TEST_CRS: 'true',
    });
    expect(() => checkGatewayConfig(cfg)).toThrow(/ALLOW_TEST_CRS/);
  });
});
