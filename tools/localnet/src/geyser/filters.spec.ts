import bs58 from 'bs58';
import { Keypair } from '@solana/web3.js';
import {
  FilterError,
  applySlices,
  compileFilters,
  matchAccount,
  matchSlot,
  matchTransaction,
} from './filters';

const key = () => Keypair.generate().publicKey.toBase58();

describe('Yellowstone filter semantics', () => {
  const owner = key();
  const acct = key();
  const data = Uint8Array.from({ length: 165 }, (_v, i) => i % 251);
  data[108] = 1; // initialized token account state
  const view = { pubkey: acct, owner, data, lamports: 2_039_280n, hasTxnSignature: true };

  it('ANDs the fields of an account filter and ORs the values inside one field', () => {
    const f = compileFilters({
      accounts: {
        byOwnerOrOther: { account: [], owner: [key(), owner], filters: [] },
        accountAndOwner: { account: [acct], owner: [key()], filters: [] },
        all: { account: [], owner: [], filters: [] },
      },
    });
    expect(matchAccount(f, view)).toEqual(['byOwnerOrOther', 'all']);
  });

  it('matches memcmp (bytes, base58, base64), datasize, token_account_state and lamports, all of them', () => {
    const slice = data.subarray(32, 40);
    const f = compileFilters({
      accounts: {
        b: {
          filters: [{ filter: 'memcmp', memcmp: { offset: '32', data: 'bytes', bytes: Buffer.from(slice) } }],
        },
        b58: {
          filters: [
            { filter: 'memcmp', memcmp: { offset: '32', data: 'base58', base58: bs58.encode(slice) } },
          ],
        },
        b64: {
          filters: [
            {
              filter: 'memcmp',
              memcmp: { offset: '32', data: 'base64', base64: Buffer.from(slice).toString('base64') },
            },
          ],
        },
        wrongOffset: {
          filters: [{ filter: 'memcmp', memcmp: { offset: '33', data: 'bytes', bytes: Buffer.from(slice) } }],
        },
        size: {
          filters: [
            { filter: 'datasize', datasize: '165' },
            { filter: 'tokenAccountState', tokenAccountState: true },
          ],
        },
        sizeWrong: { filters: [{ filter: 'datasize', datasize: '82' }] },
        rich: { filters: [{ filter: 'lamports', lamports: { cmp: 'gt', gt: '1000000' } }] },
        poor: { filters: [{ filter: 'lamports', lamports: { cmp: 'lt', lt: '1000000' } }] },
      },
    });
    expect(matchAccount(f, view)).toEqual(['b', 'b58', 'b64', 'size', 'rich']);
  });

  it('applies account_include (any), account_exclude (none), account_required (all) and failed', () => {
    const [a, b, c] = [key(), key(), key()];
    const f = compileFilters({
      transactions: {
        inc: { accountInclude: [a, c], accountExclude: [], accountRequired: [] },
        exc: { accountInclude: [], accountExclude: [b], accountRequired: [] },
        req: { accountInclude: [], accountExclude: [], accountRequired: [a, b] },
        ok: { failed: false, accountInclude: [], accountExclude: [], accountRequired: [] },
      },
    });
    const tx = { signature: 'x', accountKeys: new Set([a, b]), failed: true, isVote: false };
    expect(matchTransaction(f, tx)).toEqual(['inc', 'req']);
    expect(matchTransaction(f, { ...tx, accountKeys: new Set([c]), failed: false })).toEqual([
      'inc',
      'exc',
      'ok',
    ]);
  });

  it('sends interslot statuses only when asked and filters by commitment when asked', () => {
    const f = compileFilters({
      commitment: 1,
      slots: { all: {}, inter: { interslotUpdates: true }, mine: { filterByCommitment: true } },
    });
    expect(matchSlot(f, 0)).toEqual(['all', 'inter']);
    expect(matchSlot(f, 1)).toEqual(['all', 'inter', 'mine']);
    expect(matchSlot(f, 5)).toEqual(['inter']);
    expect(matchSlot(f, 6)).toEqual(['all', 'inter', 'mine']); // DEAD
  });

  it('rejects what a Yellowstone server rejects', () => {
    expect(() => compileFilters({ accounts: { x: { owner: ['nope'] } } })).toThrow(FilterError);
    expect(() =>
      compileFilters({ transactions: { x: { accountInclude: [bs58.encode(Buffer.alloc(31))] } } }),
    ).toThrow(/invalid pubkey length/);
    expect(() => compileFilters({ blocks: { b: {} } })).toThrow(/not supported/);
    expect(() => compileFilters({ commitment: 7 })).toThrow(/unknown commitment/);
    expect(() =>
      compileFilters({ accounts: { c: { cuckooAccountsFilter: { data: Buffer.alloc(4) } } } }),
    ).toThrow(/cuckoo/);
    expect(() => compileFilters({ transactions: { t: { tokenAccounts: 1 } } })).toThrow(/token_accounts/);
  });

  it('concatenates data slices', () => {
    expect(
      Buffer.from(
        applySlices(Uint8Array.from([0, 1, 2, 3, 4, 5]), [
          { offset: 1, length: 2 },
          { offset: 4, length: 9 },
        ]),
      ),
    ).toEqual(Buffer.from([1, 2, 4, 5]));
  });
});
