/* API key administration: create (the key is printed once), list, revoke.
 *
 *   node -r @swc-node/register apps/gateway/src/cli/keys.ts create --name "Venue X" --scopes read,prove,verify --plan standard
 *   node -r @swc-node/register apps/gateway/src/cli/keys.ts list
 *   node -r @swc-node/register apps/gateway/src/cli/keys.ts revoke <id or prefix>
 *
 * Reads DATABASE_URL, DATABASE_SCHEMA, API_KEY_PEPPER_FILE (or API_KEY_PEPPER) and API_PLANS like the gateway.
 */
import 'reflect-metadata';
import { z } from 'zod';
import { ConfigError, loadDotEnv, parseConfig } from '@rv/config';
import { createDataSource } from '@rv/db';
import { ApiKeysRepository } from '../auth/api-keys.repository';
import { createApiKey, InvalidKeyRequest } from '../auth/create-api-key';
import { gatewayConfigSchema, loadPepper } from '../gateway.config';

const cliSchema = gatewayConfigSchema.pick({
  DATABASE_URL: true,
  DATABASE_SCHEMA: true,
  API_KEY_PEPPER_FILE: true,
  API_KEY_PEPPER: true,
  API_PLANS: true,
  NODE_ENV: true,
});

const USAGE = `usage:
  keys create --name <name> --scopes read,prove,verify,analytics [--plan <plan>] [--json]
  keys list [--json]
  keys revoke <id or prefix>`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  loadDotEnv();
  const cfg = parseConfig(cliSchema as z.ZodObject<z.ZodRawShape>) as z.infer<typeof cliSchema>;
  const json = args.includes('--json');
  const ds = createDataSource({
    url: cfg.DATABASE_URL,
    schema: cfg.DATABASE_SCHEMA,
    poolSize: 1,
    applicationName: 'rv-gateway-keys',
  });
  await ds.initialize();
  try {
    const repo = new ApiKeysRepository(ds);
    switch (command) {
      case 'create': {
        const pepper = loadPepper(cfg);
        const { key, record } = await createApiKey(
          repo,
          pepper,
          {
            name: flag(args, 'name') ?? '',
            scopes: (flag(args, 'scopes') ?? '').split(',').filter(Boolean),
            plan: flag(args, 'plan') ?? 'free',
          },
          Object.keys(cfg.API_PLANS),
        );
        if (json) process.stdout.write(`${JSON.stringify({ ...record, key })}\n`);
        else {
          process.stdout.write(
            `id:     ${record.id}\nname:   ${record.name}\nscopes: ${record.scopes.join(',')}\nplan:   ${record.plan}\n`,
          );
          process.stdout.write(
            `key:    ${key}\n\nThe key is shown only now; store it safely. Only its hash is kept.\n`,
          );
        }
        return 0;
      }
      case 'list': {
        const keys = await repo.list();
        if (json) process.stdout.write(`${JSON.stringify(keys)}\n`);
        else
          for (const k of keys) {
            const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
            process.stdout.write(
              `${k.id}  ${k.prefix}…  ${k.plan.padEnd(10)} ${k.scopes.join(',').padEnd(27)} ${state}  ${k.name}\n`,
            );
          }
        return 0;
      }
      case 'revoke': {
        const target = args[0];
        if (!target) {
          process.stderr.write(`${USAGE}\n`);
          return 2;
        }
        if (!(await repo.revoke(target))) {
          process.stderr.write(`no active key with id or prefix ${target}\n`);
          return 1;
        }
        process.stdout.write(`revoked ${target}\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof ConfigError || e instanceof InvalidKeyRequest;
    process.stderr.write(
      `${known ? (e as Error).message : `failed: ${e instanceof Error ? e.message : String(e)}`}\n`,
    );
    process.exit(1);
  },
);
