import { z } from 'zod';

// Building blocks for each app's `<app>.config.ts`. The `.describe()` text is what a bad value's
// error message says was expected.

const urlWithProtocols = (protocols: string[], example: string) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    })
    .describe(`a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL such as ${example}`);

export const databaseUrl = () =>
  urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user:password@127.0.0.1:5432/rv');
export const redisUrl = () => urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379');
export const httpUrl = (example: string) => urlWithProtocols(['http:', 'https:'], example);

export const kafkaBrokers = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((b) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b)))
    .describe('a comma-separated list of host:port Kafka brokers such as 127.0.0.1:9092');

export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback).describe('a TCP port number (0-65535)');

export const host = () =>
  z.string().min(1).default('127.0.0.1').describe('a listen address such as 127.0.0.1');

export const positiveInt = (fallback: number, what: string) =>
  z.coerce.number().int().positive().default(fallback).describe(`a positive integer (${what})`);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1')
    .describe('true or false');

export const nodeEnv = () =>
  z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe('development, test or production');

export const logLevel = () =>
  z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('a pino log level (fatal, error, warn, info, debug, trace, silent)');

/** A path to an existing readable file (key files). */
export const filePath = () => z.string().min(1).describe('a path to a readable file');

/** Settings every app has. */
export const common = {
  NODE_ENV: nodeEnv(),
  LOG_LEVEL: logLevel(),
  HOST: host(),
  SHUTDOWN_TIMEOUT_MS: positiveInt(15000, 'milliseconds to drain on SIGTERM'),
};
