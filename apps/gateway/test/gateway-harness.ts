import { INestApplication } from '@nestjs/common';
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { ConfigService, parseConfig } from '@rv/config';
import { createHttpApp } from '@rv/observability';
import { testEnv, uniqueName } from '@rv/testing';
import { checkGatewayConfig, gatewayConfigSchema, type GatewayConfig } from '../src/gateway.config';
import { GatewayModule } from '../src/gateway.module';
import { configureGateway } from '../src/http/configure-app';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TEST_PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';

/** Settings for one spec: its own schema and Redis prefix; the rest overridable. */
export function gatewayEnv(schema: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: testEnv().DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: testEnv().REDIS_URL,
    REDIS_PREFIX: `${uniqueName('gw')}:`,
    API_KEY_PEPPER: TEST_PEPPER,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface RunningGateway {
  app: INestApplication;
  url: string;
  cfg: GatewayConfig;
  close(): Promise<void>;
}

/** The gateway in this process, configured like main.ts (on fastify), listening on a free port. */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const cfg = checkGatewayConfig(parseConfig(gatewayConfigSchema, env));
  const app = await createHttpApp(GatewayModule.forRoot(new ConfigService(cfg)) as never, 'fastify', {
    logger: false,
  });
  configureGateway(app, cfg);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, cfg, close: () => app.close() };
}

/** Runs the key CLI (`apps/gateway/src/cli/keys.ts`) with these settings. */
export async function keysCli(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', path.join(ROOT, 'apps/gateway/src/cli/keys.ts'), ...args],
      {
        cwd: ROOT,
        env, // only the given settings (node is started by absolute path)
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

/** Creates a key through the CLI and returns its id and text. */
export async function createKey(
  env: Record<string, string>,
  scopes: string,
  plan = 'unlimited',
  name = 'spec',
): Promise<{ id: string; key: string }> {
  const r = await keysCli(env, ['create', '--name', name, '--scopes', scopes, '--plan', plan, '--json']);
  if (r.code !== 0) throw new Error(`keys create failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim()) as { id: string; key: string };
  return { id: out.id, key: out.key };
}
