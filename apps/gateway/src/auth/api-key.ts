import { createHmac, randomBytes, randomUUID } from 'crypto';

/** What a key may do. */
export const SCOPES = ['read', 'prove', 'verify', 'analytics'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

const KEY_FORMAT = /^rv_[A-Za-z0-9_-]{43}$/;

/** A fresh key: `rv_` + 32 random bytes (base64url). Shown once; only its hash is stored. */
export function generateApiKey(): { id: string; key: string; prefix: string } {
  const key = `rv_${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), key, prefix: key.slice(0, 10) };
}

export const looksLikeApiKey = (text: string): boolean => KEY_FORMAT.test(text);

/** HMAC-SHA256(pepper, key): what the database stores and looks keys up by. */
export function hashApiKey(key: string, pepper: Buffer): Buffer {
  return createHmac('sha256', pepper).update(key, 'utf8').digest();
}

/**
 * The key a request presents: `Authorization: Bearer <key>` or `x-api-key: <key>`.
 * Undefined when neither header is there; a malformed Authorization header counts as presented.
 */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && auth.length > 0) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : '';
  }
  const x = headers['x-api-key'];
  if (typeof x === 'string') return x.trim();
  return undefined;
}
