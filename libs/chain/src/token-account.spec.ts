import { Keypair } from '@solana/web3.js';
import { decodeTokenAccount, encodeTokenAccount, TOKEN_ACCOUNT_LEN, TokenAccount } from '.';

const pk = () => Keypair.generate().publicKey;

/** Base layout written field by field from the SPL Token `Account` definition (independent of the encoder). */
function handBuilt(mint: Buffer, owner: Buffer, amount: bigint, state: number): Buffer {
  const b = Buffer.alloc(165);
  mint.copy(b, 0);
  owner.copy(b, 32);
  b.writeBigUInt64LE(amount, 64);
  b.writeUInt32LE(0, 72); // delegate: None
  b.writeUInt8(state, 108);
  b.writeUInt32LE(0, 109); // is_native: None
  b.writeBigUInt64LE(0n, 121);
  b.writeUInt32LE(0, 129); // close_authority: None
  return b;
}

describe('decodeTokenAccount', () => {
  const mint = pk();
  const owner = pk();

  it('decodes the 165-byte SPL Token layout', () => {
    const r = decodeTokenAccount(handBuilt(mint.toBuffer(), owner.toBuffer(), 1_000_000_007n, 1));
    expect(r).toEqual({
      ok: true,
      value: {
        mint,
        owner,
        amount: 1_000_000_007n,
        delegate: null,
        state: 'initialized',
        isNative: null,
        delegatedAmount: 0n,
        closeAuthority: null,
        extensionBytes: 0,
      },
    });
  });

  it('round-trips optional fields and frozen state', () => {
    const acc: Omit<TokenAccount, 'extensionBytes'> = {
      mint,
      owner,
      amount: (1n << 64n) - 1n,
      delegate: pk(),
      state: 'frozen',
      isNative: 2039280n,
      delegatedAmount: 5n,
      closeAuthority: pk(),
    };
    expect(decodeTokenAccount(encodeTokenAccount(acc))).toEqual({
      ok: true,
      value: { ...acc, extensionBytes: 0 },
    });
  });

  it('decodes a Token-2022 account with an account-type byte and extensions', () => {
    const base = handBuilt(mint.toBuffer(), owner.toBuffer(), 3n, 1);
    // AccountType::Account (2), then one TLV extension: ImmutableOwner (type 7, length 0).
    const ext = Buffer.concat([base, Buffer.from([2, 7, 0, 0, 0])]);
    const r = decodeTokenAccount(ext);
    expect(r.ok && r.value.amount).toBe(3n);
    expect(r.ok && r.value.extensionBytes).toBe(4);
    expect(r.ok && r.value.owner.equals(owner)).toBe(true);
  });

  it.each([
    ['short data', Buffer.alloc(TOKEN_ACCOUNT_LEN - 1), 'truncated'],
    [
      'a Token-2022 mint (account type 1)',
      Buffer.concat([Buffer.alloc(165), Buffer.from([1, 0, 0])]),
      'invalid_value',
    ],
    ['multisig length', Buffer.alloc(355), 'invalid_value'],
    ['state 3', handBuilt(Buffer.alloc(32), Buffer.alloc(32), 0n, 3), 'invalid_value'],
    [
      'COption tag 2',
      (() => {
        const b = handBuilt(Buffer.alloc(32), Buffer.alloc(32), 0n, 1);
        b.writeUInt32LE(2, 72);
        return b;
      })(),
      'invalid_value',
    ],
  ])('returns an error value for %s', (_label, data, code) => {
    const r = decodeTokenAccount(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});
