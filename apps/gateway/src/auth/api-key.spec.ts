import { generateApiKey, hashApiKey, looksLikeApiKey, presentedKey } from './api-key';

describe('api keys', () => {
  it('generates distinct well-formed keys whose prefix is their start', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith(a.prefix)).toBe(true);
  });

  it('hashes with the pepper: same key + other pepper gives another hash', () => {
    const { key } = generateApiKey();
    const p1 = Buffer.from('p'.repeat(32));
    expect(hashApiKey(key, p1).equals(hashApiKey(key, p1))).toBe(true);
    expect(hashApiKey(key, p1).equals(hashApiKey(key, Buffer.from('q'.repeat(32))))).toBe(false);
  });

  it('reads Bearer or x-api-key; a non-Bearer Authorization is presented but empty', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': ' abc ' })).toBe('abc');
    expect(presentedKey({ authorization: 'Basic xyz' })).toBe('');
    expect(presentedKey({})).toBeUndefined();
  });
});
