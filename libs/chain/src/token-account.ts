import { PublicKey } from '@solana/web3.js';
import { DecodeResult, fail, ok } from './result';

export const TOKEN_PROGRAM_ID = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const TOKEN_2022_PROGRAM_ID = new PublicKey('TokenzQdBNbLqP5VEhdkAS6EN5TZn8JmgrhKsA8YQLG');

/** Base SPL token account layout (identical in Token and Token-2022). */
export const TOKEN_ACCOUNT_LEN = 165;
/** Offsets for memcmp filters (e.g. Yellowstone account filters by mint or owner). */
export const TOKEN_ACCOUNT_MINT_OFFSET = 0;
export const TOKEN_ACCOUNT_OWNER_OFFSET = 32;
const MULTISIG_LEN = 355;
/** Token-2022 AccountType byte written right after the base layout when extensions follow. */
const ACCOUNT_TYPE_ACCOUNT = 2;

export type TokenAccountState = 'uninitialized' | 'initialized' | 'frozen';

export interface TokenAccount {
  mint: PublicKey;
  owner: PublicKey;
  amount: bigint;
  delegate: PublicKey | null;
  state: TokenAccountState;
  /** Rent-exempt reserve when this is a wrapped-SOL account, else null. */
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: PublicKey | null;
  /** Bytes of Token-2022 extension TLV data after the account-type byte (0 for plain accounts). */
  extensionBytes: number;
}

const STATES: readonly TokenAccountState[] = ['uninitialized', 'initialized', 'frozen'];

/**
 * Decodes an SPL Token or Token-2022 token account (base 165-byte layout; Token-2022 accounts with
 * extensions continue with an account-type byte, which must say Account, and TLV extensions). Mints,
 * multisigs and other data are error values. Never throws.
 */
export function decodeTokenAccount(data: Uint8Array): DecodeResult<TokenAccount> {
  if (data.length < TOKEN_ACCOUNT_LEN) {
    return fail(
      'truncated',
      `token account has ${data.length} bytes, expected at least ${TOKEN_ACCOUNT_LEN}`,
    );
  }
  if (data.length === MULTISIG_LEN) return fail('invalid_value', 'data has the length of a multisig account');
  let extensionBytes = 0;
  if (data.length > TOKEN_ACCOUNT_LEN) {
    const accountType = data[TOKEN_ACCOUNT_LEN];
    if (accountType !== ACCOUNT_TYPE_ACCOUNT) {
      return fail(
        'invalid_value',
        `Token-2022 account type byte is ${accountType}, expected ${ACCOUNT_TYPE_ACCOUNT}`,
      );
    }
    extensionBytes = data.length - TOKEN_ACCOUNT_LEN - 1;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const key = (o: number) => new PublicKey(data.slice(o, o + 32));

  const delegateTag = view.getUint32(72, true);
  const stateByte = data[108] as number;
  const nativeTag = view.getUint32(109, true);
  const closeTag = view.getUint32(129, true);
  if (delegateTag > 1 || nativeTag > 1 || closeTag > 1) {
    return fail('invalid_value', 'COption tag is neither 0 nor 1');
  }
  const state = STATES[stateByte];
  if (!state) return fail('invalid_value', `account state ${stateByte} is not 0, 1 or 2`);
  return ok({
    mint: key(0),
    owner: key(32),
    amount: view.getBigUint64(64, true),
    delegate: delegateTag === 1 ? key(76) : null,
    state,
    isNative: nativeTag === 1 ? view.getBigUint64(113, true) : null,
    delegatedAmount: view.getBigUint64(121, true),
    closeAuthority: closeTag === 1 ? key(133) : null,
    extensionBytes,
  });
}

/** Encodes the base layout (used by tests and the local chain to fabricate account data). */
export function encodeTokenAccount(a: Omit<TokenAccount, 'extensionBytes'>): Uint8Array {
  const out = new Uint8Array(TOKEN_ACCOUNT_LEN);
  const view = new DataView(out.buffer);
  out.set(a.mint.toBytes(), 0);
  out.set(a.owner.toBytes(), 32);
  view.setBigUint64(64, a.amount, true);
  if (a.delegate) {
    view.setUint32(72, 1, true);
    out.set(a.delegate.toBytes(), 76);
  }
  out[108] = STATES.indexOf(a.state);
  if (a.isNative !== null) {
    view.setUint32(109, 1, true);
    view.setBigUint64(113, a.isNative, true);
  }
  view.setBigUint64(121, a.delegatedAmount, true);
  if (a.closeAuthority) {
    view.setUint32(129, 1, true);
    out.set(a.closeAuthority.toBytes(), 133);
  }
  return out;
}
