import bs58 from 'bs58';
import type { Commitment } from './proto';

/** Raised for a SubscribeRequest the server refuses (sent as INVALID_ARGUMENT). */
export class FilterError extends Error {}

/** What an account update exposes to filters. */
export interface AccountView {
  pubkey: string;
  owner: string;
  data: Uint8Array;
  lamports: bigint;
  hasTxnSignature: boolean;
}

/** What a transaction update exposes to filters. */
export interface TxView {
  signature: string;
  accountKeys: ReadonlySet<string>;
  failed: boolean;
  isVote: boolean;
}

type DataFilter =
  | { kind: 'memcmp'; offset: number; bytes: Uint8Array }
  | { kind: 'datasize'; size: number }
  | { kind: 'tokenAccountState' }
  | { kind: 'lamports'; op: 'eq' | 'ne' | 'lt' | 'gt'; value: bigint };

interface AccountFilter {
  name: string;
  accounts: Set<string>;
  owners: Set<string>;
  data: DataFilter[];
  nonemptyTxnSignature: boolean;
}

interface TxFilter {
  name: string;
  vote: boolean | undefined;
  failed: boolean | undefined;
  signature: string | undefined;
  include: string[];
  exclude: string[];
  required: string[];
}

interface SlotFilter {
  name: string;
  filterByCommitment: boolean;
  interslotUpdates: boolean;
}

export interface Slice {
  offset: number;
  length: number;
}

/** The compiled filters of one subscription (replaced by every non-ping SubscribeRequest). */
export interface CompiledFilters {
  accounts: AccountFilter[];
  transactions: TxFilter[];
  transactionsStatus: TxFilter[];
  slots: SlotFilter[];
  /** Names of the blocks_meta filters (they have no fields). */
  blocksMeta: string[];
  commitment: Commitment;
  dataSlices: Slice[];
}

const MAX_FILTERS = 64;

function pubkey(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new FilterError(`${what}: expected a base58 string`);
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(v);
  } catch {
    throw new FilterError(`${what}: invalid base58 pubkey "${v}"`);
  }
  if (bytes.length !== 32) throw new FilterError(`${what}: invalid pubkey length for "${v}"`);
  return v;
}

function u64(v: unknown, what: string): bigint {
  try {
    const n = BigInt(v as string);
    if (n < 0n || n >= 1n << 64n) throw new Error('range');
    return n;
  } catch {
    throw new FilterError(`${what}: not a u64`);
  }
}

function entries<T>(m: unknown): [string, T][] {
  if (!m || typeof m !== 'object') return [];
  const list = Object.entries(m as Record<string, T>);
  if (list.length > MAX_FILTERS) throw new FilterError(`too many filters (max ${MAX_FILTERS})`);
  return list;
}

function compileData(f: Record<string, any>, name: string): DataFilter {
  switch (f.filter) {
    case 'memcmp': {
      const m = f.memcmp ?? {};
      let bytes: Uint8Array;
      if (m.data === 'bytes') bytes = Uint8Array.from(m.bytes as Buffer);
      else if (m.data === 'base58') {
        try {
          bytes = bs58.decode(m.base58 as string);
        } catch {
          throw new FilterError(`accounts.${name}: memcmp base58 is not valid base58`);
        }
      } else if (m.data === 'base64') bytes = Uint8Array.from(Buffer.from(m.base64 as string, 'base64'));
      else throw new FilterError(`accounts.${name}: memcmp without data`);
      if (bytes.length > 128) throw new FilterError(`accounts.${name}: memcmp data longer than 128 bytes`);
      return {
        kind: 'memcmp',
        offset: Number(u64(m.offset ?? '0', `accounts.${name}.memcmp.offset`)),
        bytes,
      };
    }
    case 'datasize':
      return { kind: 'datasize', size: Number(u64(f.datasize, `accounts.${name}.datasize`)) };
    case 'tokenAccountState':
      return { kind: 'tokenAccountState' };
    case 'lamports': {
      const l = f.lamports ?? {};
      const op = l.cmp as 'eq' | 'ne' | 'lt' | 'gt' | undefined;
      if (!op) throw new FilterError(`accounts.${name}: lamports filter without comparison`);
      return { kind: 'lamports', op, value: u64(l[op], `accounts.${name}.lamports`) };
    }
    default:
      throw new FilterError(`accounts.${name}: empty account data filter`);
  }
}

function compileTx(name: string, f: Record<string, any>, what: string): TxFilter {
  if (f.cuckooAccountInclude)
    throw new FilterError(`${what}.${name}: cuckoo_account_include is not supported by the local chain`);
  if (f.tokenAccounts !== undefined && f.tokenAccounts !== null) {
    throw new FilterError(`${what}.${name}: token_accounts expansion is not supported by the local chain`);
  }
  const list = (v: unknown, field: string) =>
    ((v as unknown[] | undefined) ?? []).map((k) => pubkey(k, `${what}.${name}.${field}`));
  return {
    name,
    vote: f.vote ?? undefined,
    failed: f.failed ?? undefined,
    signature: f.signature ?? undefined,
    include: list(f.accountInclude, 'account_include'),
    exclude: list(f.accountExclude, 'account_exclude'),
    required: list(f.accountRequired, 'account_required'),
  };
}

/** Compiles a decoded SubscribeRequest (proto-loader object, camelCase, oneofs). */
export function compileFilters(req: Record<string, any>): CompiledFilters {
  for (const unsupported of ['blocks', 'entry'] as const) {
    if (entries(req[unsupported]).length > 0) {
      throw new FilterError(`${unsupported} subscriptions are not supported by the local chain`);
    }
  }
  const commitment = (req.commitment ?? 0) as number;
  if (commitment !== 0 && commitment !== 1 && commitment !== 2)
    throw new FilterError(`unknown commitment ${commitment}`);
  return {
    commitment: commitment as Commitment,
    accounts: entries<Record<string, any>>(req.accounts).map(([name, f]) => {
      if (f.cuckooAccountsFilter)
        throw new FilterError(`accounts.${name}: cuckoo_accounts_filter is not supported by the local chain`);
      return {
        name,
        accounts: new Set(((f.account as unknown[]) ?? []).map((k) => pubkey(k, `accounts.${name}.account`))),
        owners: new Set(((f.owner as unknown[]) ?? []).map((k) => pubkey(k, `accounts.${name}.owner`))),
        data: ((f.filters as Record<string, any>[]) ?? []).map((d) => compileData(d, name)),
        nonemptyTxnSignature: f.nonemptyTxnSignature === true,
      };
    }),
    transactions: entries<Record<string, any>>(req.transactions).map(([n, f]) =>
      compileTx(n, f, 'transactions'),
    ),
    transactionsStatus: entries<Record<string, any>>(req.transactionsStatus).map(([n, f]) =>
      compileTx(n, f, 'transactions_status'),
    ),
    slots: entries<Record<string, any>>(req.slots).map(([name, f]) => ({
      name,
      filterByCommitment: f.filterByCommitment === true,
      interslotUpdates: f.interslotUpdates === true,
    })),
    blocksMeta: entries<unknown>(req.blocksMeta).map(([name]) => name),
    dataSlices: ((req.accountsDataSlice as Record<string, string>[]) ?? []).map((s) => ({
      offset: Number(u64(s.offset, 'accounts_data_slice.offset')),
      length: Number(u64(s.length, 'accounts_data_slice.length')),
    })),
  };
}

function matchData(f: DataFilter, a: AccountView): boolean {
  switch (f.kind) {
    case 'memcmp': {
      if (a.data.length < f.offset + f.bytes.length) return false;
      for (let i = 0; i < f.bytes.length; i++) if (a.data[f.offset + i] !== f.bytes[i]) return false;
      return true;
    }
    case 'datasize':
      return a.data.length === f.size;
    case 'tokenAccountState':
      // an initialized or frozen SPL token account (base layout, state byte at 108)
      return a.data.length >= 165 && (a.data[108] === 1 || a.data[108] === 2);
    case 'lamports':
      switch (f.op) {
        case 'eq':
          return a.lamports === f.value;
        case 'ne':
          return a.lamports !== f.value;
        case 'lt':
          return a.lamports < f.value;
        case 'gt':
          return a.lamports > f.value;
        default:
          return false;
      }
    default:
      return false;
  }
}

/** Names of the account filters `a` matches: fields AND together, values inside a field OR. */
export function matchAccount(filters: CompiledFilters, a: AccountView): string[] {
  const out: string[] = [];
  for (const f of filters.accounts) {
    if (f.accounts.size > 0 && !f.accounts.has(a.pubkey)) continue;
    if (f.owners.size > 0 && !f.owners.has(a.owner)) continue;
    if (f.nonemptyTxnSignature && !a.hasTxnSignature) continue;
    if (!f.data.every((d) => matchData(d, a))) continue;
    out.push(f.name);
  }
  return out;
}

function matchTxFilter(f: TxFilter, t: TxView): boolean {
  if (f.vote !== undefined && f.vote !== t.isVote) return false;
  if (f.failed !== undefined && f.failed !== t.failed) return false;
  if (f.signature !== undefined && f.signature !== t.signature) return false;
  if (f.include.length > 0 && !f.include.some((k) => t.accountKeys.has(k))) return false;
  if (f.exclude.some((k) => t.accountKeys.has(k))) return false;
  if (!f.required.every((k) => t.accountKeys.has(k))) return false;
  return true;
}

export function matchTransaction(filters: CompiledFilters, t: TxView): string[] {
  return filters.transactions.filter((f) => matchTxFilter(f, t)).map((f) => f.name);
}

export function matchTransactionStatus(filters: CompiledFilters, t: TxView): string[] {
  return filters.transactionsStatus.filter((f) => matchTxFilter(f, t)).map((f) => f.name);
}

const INTERSLOT = new Set([3, 4, 5]);

/** Slot filters: PROCESSED/CONFIRMED/FINALIZED/DEAD always; FIRST_SHRED/COMPLETED/CREATED_BANK only with interslot_updates. */
export function matchSlot(filters: CompiledFilters, status: number): string[] {
  const out: string[] = [];
  for (const f of filters.slots) {
    if (INTERSLOT.has(status) && !f.interslotUpdates) continue;
    if (f.filterByCommitment && status <= 2 && status !== filters.commitment) continue;
    out.push(f.name);
  }
  return out;
}

export function applySlices(data: Uint8Array, slices: Slice[]): Uint8Array {
  if (slices.length === 0) return data;
  const parts = slices.map((s) =>
    data.subarray(Math.min(s.offset, data.length), Math.min(s.offset + s.length, data.length)),
  );
  return Buffer.concat(parts);
}
