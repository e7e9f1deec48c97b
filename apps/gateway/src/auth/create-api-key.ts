import { generateApiKey, hashApiKey, isScope, type Scope } from './api-key';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';

export class InvalidKeyRequest extends Error {
  override readonly name = 'InvalidKeyRequest';
}

/** Creates a key; returns the key text (to show once) and its record. */
export async function createApiKey(
  repo: ApiKeysRepository,
  pepper: Buffer,
  req: { name: string; scopes: string[]; plan: string },
  plans: readonly string[],
): Promise<{ key: string; record: ApiKeyRecord }> {
  const name = req.name.trim();
  if (name.length === 0 || name.length > 200) throw new InvalidKeyRequest('name: 1 to 200 characters');
  if (req.scopes.length === 0)
    throw new InvalidKeyRequest('scopes: at least one of read, prove, verify, analytics');
  const bad = req.scopes.find((s) => !isScope(s));
  if (bad !== undefined)
    throw new InvalidKeyRequest(`scopes: unknown scope "${bad}" (read, prove, verify, analytics)`);
  if (!plans.includes(req.plan))
    throw new InvalidKeyRequest(`plan: unknown plan "${req.plan}" (${plans.join(', ')})`);
  const { id, key, prefix } = generateApiKey();
  const scopes = [...new Set(req.scopes)] as Scope[];
  const record = await repo.insert({
    id,
    name,
    hash: hashApiKey(key, pepper),
    prefix,
    scopes,
    plan: req.plan,
  });
  return { key, record };
}
