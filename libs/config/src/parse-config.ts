import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';

/** A bad or missing setting. `message` is one line naming the variable and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`invalid configuration: ${variable}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against an app's schema. Throws a ConfigError for the first bad
 * variable (in schema order). Values are never echoed: some of them (URLs with passwords, tokens)
 * are secrets.
 */
export function parseConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? '(unknown)');
  const described = (schema.shape[variable] as z.ZodType | undefined)?.description;
  const expected = described ?? issue?.message ?? 'a valid value';
  throw new ConfigError(variable, source[variable] === undefined ? `${expected} (it is not set)` : expected);
}

/**
 * Loads KEY=VALUE lines from a `.env` file (git-ignored) into process.env without overriding what
 * the environment already sets. Missing file: nothing happens.
 */
export function loadDotEnv(file = path.resolve(process.cwd(), '.env')): void {
  if (!fs.existsSync(file)) return;
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    if (process.env[key] === undefined) process.env[key] = value;
  }
}
