import { Keypair } from '@solana/web3.js';
import { parseKeypairJson, serializeKeypairJson } from '.';

describe('parseKeypairJson', () => {
  it('loads what serializeKeypairJson writes (solana-keygen format)', () => {
    const kp = Keypair.generate();
    const text = serializeKeypairJson(kp);
    expect(JSON.parse(text)).toHaveLength(64);
    const r = parseKeypairJson(new TextEncoder().encode(text));
    expect(r.ok && r.value.publicKey.equals(kp.publicKey)).toBe(true);
    expect(r.ok && Buffer.from(r.value.secretKey).equals(Buffer.from(kp.secretKey))).toBe(true);
  });

  const kp = Keypair.generate();
  const secret = Array.from(kp.secretKey);
  const mismatched = [...secret.slice(0, 32), ...Array.from(Keypair.generate().publicKey.toBytes())];

  it.each([
    ['not JSON', `[${secret.join(',')}`],
    ['an object', JSON.stringify({ secretKey: secret })],
    ['63 numbers', JSON.stringify(secret.slice(0, 63))],
    ['a value above 255', JSON.stringify([...secret.slice(0, 63), 256])],
    ['a string entry', JSON.stringify([...secret.slice(0, 63), '1'])],
    ['a public half that does not match', JSON.stringify(mismatched)],
  ])('rejects %s without echoing any secret byte', (_label, text) => {
    const r = parseKeypairJson(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_keypair');
    // No run of digits from the file may appear in the message (only counts/indices like 63, 64).
    const numbers = r.error.message.match(/\d+/g) ?? [];
    for (const n of numbers) expect(['0', '255', '63', '64']).toContain(n);
    expect(r.error.message).not.toContain(secret.slice(0, 4).join(','));
  });
});
