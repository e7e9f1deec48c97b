import { createHash, createPublicKey, verify as cryptoVerify } from 'crypto';
import {
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { Account, LiteSVM } from 'litesvm';
import { decodeTokenAccount, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@rv/chain';
import { AccountStore, RainbowVeilProgram } from './rv-program';
import { customError, fieldlessTransactionError, fromLiteSvmError } from './tx-error';
import type { AccountState, ParsedMessage, TokenBalance, TxError } from './types';

export const LAMPORTS_PER_SIGNATURE = 5000n;
const TOKEN_PROGRAMS = new Set([TOKEN_PROGRAM_ID.toBase58(), TOKEN_2022_PROGRAM_ID.toBase58()]);

export class TxRejected extends Error {
  constructor(
    message: string,
    readonly txError?: TxError,
  ) {
    super(message);
  }
}

export interface ExecOutcome {
  err: TxError | null;
  logs: string[];
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  computeUnits: bigint;
  /** Accounts stored by this transaction (all writable keys on success; the fee payer on failure). */
  written: { pubkey: string; before: AccountState | null; after: AccountState | null }[];
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const keyObjects = new Map<string, ReturnType<typeof createPublicKey>>();

function verifyEd25519(sig: Uint8Array, msg: Uint8Array, pubkey: Uint8Array): boolean {
  try {
    const id = Buffer.from(pubkey).toString('hex');
    let key = keyObjects.get(id);
    if (!key) {
      key = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, pubkey]),
        format: 'der',
        type: 'spki',
      });
      if (keyObjects.size > 50_000) keyObjects.clear();
      keyObjects.set(id, key);
    }
    return cryptoVerify(null, msg, key, sig);
  } catch {
    return false;
  }
}

/** Parses a wire transaction (legacy or v0 without lookup tables) and checks its signatures. */
export function parseTransaction(
  raw: Uint8Array,
  verifySignatures: boolean,
): { signatures: Uint8Array[]; message: ParsedMessage } {
  let vtx: VersionedTransaction;
  try {
    vtx = VersionedTransaction.deserialize(raw);
  } catch (e) {
    throw new TxRejected(`failed to deserialize transaction: ${(e as Error).message}`);
  }
  const msg = vtx.message;
  if (msg.addressTableLookups.length > 0)
    throw new TxRejected('address lookup tables are not supported by localnet');
  const keys = msg.staticAccountKeys;
  // the signed message is the wire bytes after the signature list (compact-u16 count + 64 bytes each)
  const nSigs = vtx.signatures.length;
  const sigSection = (nSigs < 0x80 ? 1 : nSigs < 0x4000 ? 2 : 3) + 64 * nSigs;
  const bytes = Uint8Array.from(raw.subarray(sigSection));
  const signatures = vtx.signatures.map((s) => Uint8Array.from(s));
  if (signatures.length !== msg.header.numRequiredSignatures || signatures.length === 0) {
    throw new TxRejected('invalid transaction: wrong number of signatures');
  }
  if (verifySignatures) {
    for (let i = 0; i < signatures.length; i++) {
      const key = keys[i];
      const sig = signatures[i];
      if (!key || !sig || !verifyEd25519(sig, bytes, key.toBytes())) {
        throw new TxRejected('Transaction signature verification failure', fieldlessTransactionError(11));
      }
    }
  }
  return {
    signatures,
    message: {
      header: { ...msg.header },
      accountKeys: keys.map((k) => k.toBase58()),
      accountKeyBytes: keys.map((k) => k.toBytes()),
      recentBlockhash: msg.recentBlockhash,
      instructions: msg.compiledInstructions.map((ix) => ({
        programIdIndex: ix.programIdIndex,
        accounts: [...ix.accountKeyIndexes],
        data: Uint8Array.from(ix.data),
      })),
      versioned: vtx.version !== 'legacy',
      writable: keys.map((_k, i) => msg.isAccountWritable(i)),
      signer: keys.map((_k, i) => msg.isAccountSigner(i)),
      bytes,
    },
  };
}

interface SvmResult {
  err?: () => unknown;
  meta?: () => { logs(): string[]; computeUnitsConsumed(): bigint };
  logs?: () => string[];
  computeUnitsConsumed?: () => bigint;
}

interface NativeSvm {
  sendVersionedTransaction(tx: Uint8Array): unknown;
  getAccount(address: Uint8Array): Account | null;
  setAccount(address: Uint8Array, account: Account): void;
  sendLegacyTransaction(tx: Uint8Array): unknown;
}

const SYSTEM_PROGRAM = SystemProgram.programId.toBase58();
const keyCache = new Map<string, Uint8Array>();
const ownerCache = new Map<string, string>();

function keyBytes(pubkey: string): Uint8Array {
  let b = keyCache.get(pubkey);
  if (!b) {
    b = bs58.decode(pubkey);
    if (keyCache.size > 200_000) keyCache.clear();
    keyCache.set(pubkey, b);
  }
  return b;
}

function ownerString(owner: Uint8Array): string {
  const hex = Buffer.from(owner).toString('hex');
  let s = ownerCache.get(hex);
  if (!s) {
    s = bs58.encode(owner);
    if (ownerCache.size > 10_000) ownerCache.clear();
    ownerCache.set(hex, s);
  }
  return s;
}

/**
 * Account state + execution. SPL Token / System instructions run in LiteSVM; rainbow_veil
 * instructions run in RainbowVeilProgram. A transaction is atomic: if any instruction fails every
 * account it touched is restored and only the fee is charged.
 */
export class Bank implements AccountStore {
  readonly svm: LiteSVM;
  readonly rv: RainbowVeilProgram;
  private readonly rentCache = new Map<number, bigint>();
  /** Executable accounts never change here; reading a program copies its whole ELF, so keep them. */
  private readonly executables = new Map<string, AccountState>();
  private readonly decimals = new Map<string, number>();

  private readCached(pubkey: string): AccountState | null {
    const exe = this.executables.get(pubkey);
    if (exe) return exe;
    const st = this.get(pubkey);
    if (st?.executable) this.executables.set(pubkey, st);
    return st;
  }

  /** litesvm's native object: the same calls without base58 round trips through @solana/kit. */
  private readonly native: NativeSvm;

  constructor(rv = new RainbowVeilProgram()) {
    this.svm = new LiteSVM().withSigverify(false).withBlockhashCheck(false).withTransactionHistory(0n);
    this.native = (this.svm as unknown as { inner: NativeSvm }).inner;
    this.rv = rv;
  }

  get(pubkey: string): AccountState | null {
    const acc = this.native.getAccount(keyBytes(pubkey));
    if (acc === null) return null;
    const lamports = acc.lamports();
    if (lamports === 0n) return null;
    return {
      lamports,
      data: acc.data(),
      owner: ownerString(acc.owner()),
      executable: acc.executable(),
      rentEpoch: 0n,
    };
  }

  set(pubkey: string, state: AccountState | null): void {
    this.native.setAccount(
      keyBytes(pubkey),
      new Account(
        state?.lamports ?? 0n,
        state?.data ?? new Uint8Array(0),
        keyBytes(state?.owner ?? SYSTEM_PROGRAM),
        state?.executable ?? false,
        0n,
      ),
    );
  }

  rentExempt(dataLen: number): bigint {
    let v = this.rentCache.get(dataLen);
    if (v === undefined) {
      v = this.svm.minimumBalanceForRentExemption(BigInt(dataLen));
      this.rentCache.set(dataLen, v);
    }
    return v;
  }

  balance(pubkey: string): bigint {
    return this.get(pubkey)?.lamports ?? 0n;
  }

  /** Credits lamports directly (faucet funding at start-up only; airdrops are real transactions). */
  credit(pubkey: string, lamports: bigint): void {
    const st = this.get(pubkey);
    this.set(
      pubkey,
      st
        ? { ...st, lamports: st.lamports + lamports }
        : {
            lamports,
            data: new Uint8Array(0),
            owner: SystemProgram.programId.toBase58(),
            executable: false,
            rentEpoch: 0n,
          },
    );
  }

  execute(signatures: Uint8Array[], msg: ParsedMessage, slot: number): ExecOutcome {
    const keys = msg.accountKeys;
    const payer = keys[0] as string;
    const before = new Map<string, AccountState | null>();
    for (const k of keys) if (!before.has(k)) before.set(k, this.readCached(k));
    const preBalances = keys.map((k) => before.get(k)?.lamports ?? 0n);
    const preTokenBalances = this.tokenBalances(keys, (k) => before.get(k) ?? null);
    const fee = LAMPORTS_PER_SIGNATURE * BigInt(signatures.length);
    const logs: string[] = [];
    let err: TxError | null = null;
    let cu = 0n;
    let svmFees = 0n;

    const payerState = before.get(payer);
    if (!payerState || payerState.lamports < fee) {
      throw new TxRejected(
        'Attempt to debit an account but found no record of a prior credit.',
        fieldlessTransactionError(2),
      );
    }

    const ixs = msg.instructions;
    const rvId = this.rv.programId;
    let i = 0;
    while (i < ixs.length && !err) {
      const ix = ixs[i] as (typeof ixs)[number];
      if (keys[ix.programIdIndex] === rvId) {
        const res = this.rv.execute(
          ix.accounts.map((a) => ({
            pubkey: keys[a] as string,
            isSigner: !!msg.signer[a],
            isWritable: !!msg.writable[a],
          })),
          ix.data,
          this,
          slot,
        );
        logs.push(...res.logs);
        if (!res.ok) err = customError(i, res.code);
        cu += 10000n;
        i++;
        continue;
      }
      // A run of non-rainbow_veil instructions: one LiteSVM sub-transaction (signatures were checked above).
      let j = i;
      while (j < ixs.length && keys[(ixs[j] as (typeof ixs)[number]).programIdIndex] !== rvId) j++;
      // the whole transaction has no rainbow_veil instruction: hand LiteSVM the original bytes
      const sub =
        i === 0 && j === ixs.length
          ? this.runWholeInSvm(signatures, msg)
          : this.runInSvm(signatures, msg, i, j);
      logs.push(...sub.logs);
      cu += sub.cu;
      svmFees += sub.fee;
      if (sub.err) err = sub.err;
      i = j;
    }

    let written: ExecOutcome['written'];
    if (err) {
      for (const [k, st] of before) this.set(k, st);
      const p = before.get(payer) as AccountState;
      this.set(payer, { ...p, lamports: p.lamports - fee });
      written = [{ pubkey: payer, before: p, after: this.get(payer) }];
    } else {
      const p = this.get(payer);
      if (p) this.set(payer, { ...p, lamports: p.lamports + svmFees - fee });
      written = [];
      const seen = new Set<string>();
      keys.forEach((k, idx) => {
        if (!msg.writable[idx] || seen.has(k)) return;
        seen.add(k);
        written.push({ pubkey: k, before: before.get(k) ?? null, after: this.get(k) });
      });
    }
    const afterCache = new Map<string, AccountState | null>();
    for (const w of written) afterCache.set(w.pubkey, w.after);
    // read-only accounts cannot change within a transaction
    keys.forEach((k, idx) => {
      if (!msg.writable[idx] && !afterCache.has(k)) afterCache.set(k, before.get(k) ?? null);
    });
    const after = (k: string) => {
      let v = afterCache.get(k);
      if (v === undefined) {
        v = this.get(k);
        afterCache.set(k, v);
      }
      return v;
    };
    return {
      err,
      logs,
      fee,
      preBalances,
      postBalances: keys.map((k) => after(k)?.lamports ?? 0n),
      preTokenBalances,
      postTokenBalances: this.tokenBalances(keys, after),
      computeUnits: cu,
      written,
    };
  }

  private runWholeInSvm(signatures: Uint8Array[], msg: ParsedMessage) {
    const wire = Buffer.concat([Buffer.from([signatures.length]), ...signatures, msg.bytes]);
    const res = (
      msg.versioned ? this.native.sendVersionedTransaction(wire) : this.native.sendLegacyTransaction(wire)
    ) as SvmResult;
    return this.svmOutcome(res, 0, LAMPORTS_PER_SIGNATURE * BigInt(signatures.length));
  }

  private svmOutcome(res: SvmResult, from: number, fee: bigint) {
    if (typeof res.err === 'function' && typeof res.meta === 'function') {
      const m = res.meta();
      return { err: fromLiteSvmError(res.err(), from), logs: m.logs(), cu: m.computeUnitsConsumed(), fee };
    }
    const ok = res as { logs(): string[]; computeUnitsConsumed(): bigint };
    return { err: null, logs: ok.logs(), cu: ok.computeUnitsConsumed(), fee };
  }

  private runInSvm(signatures: Uint8Array[], msg: ParsedMessage, from: number, to: number) {
    const keys = msg.accountKeys.map((k) => new PublicKey(k));
    const instructions = msg.instructions.slice(from, to).map(
      (ix) =>
        new TransactionInstruction({
          programId: keys[ix.programIdIndex] as PublicKey,
          keys: ix.accounts.map((a) => ({
            pubkey: keys[a] as PublicKey,
            isSigner: !!msg.signer[a],
            isWritable: !!msg.writable[a],
          })),
          data: Buffer.from(ix.data),
        }),
    );
    const compiled = new TransactionMessage({
      payerKey: keys[0] as PublicKey,
      recentBlockhash: msg.recentBlockhash,
      instructions,
    }).compileToLegacyMessage();
    const seed = createHash('sha256')
      .update(signatures[0] as Uint8Array)
      .update(String(from))
      .digest();
    const sigs = Array.from({ length: compiled.header.numRequiredSignatures }, (_v, n) => {
      const s = new Uint8Array(64);
      s.set(seed, 0);
      s[63] = n;
      return s;
    });
    const bytes = new VersionedTransaction(compiled, sigs).serialize();
    const res = this.native.sendLegacyTransaction(bytes) as SvmResult;
    return this.svmOutcome(res, from, LAMPORTS_PER_SIGNATURE * BigInt(sigs.length));
  }

  private tokenBalances(keys: string[], read: (k: string) => AccountState | null): TokenBalance[] {
    const out: TokenBalance[] = [];
    keys.forEach((k, accountIndex) => {
      const st = read(k);
      if (!st || !TOKEN_PROGRAMS.has(st.owner)) return;
      const dec = decodeTokenAccount(st.data);
      if (!dec.ok) return;
      const mint = dec.value.mint.toBase58();
      let decimals = this.decimals.get(mint);
      if (decimals === undefined) {
        const mintState = read(mint) ?? this.readCached(mint);
        decimals = mintState && mintState.data.length >= 45 ? (mintState.data[44] as number) : 0;
        if (mintState && mintState.data[45] === 1) this.decimals.set(mint, decimals); // initialized: fixed for good
      }
      out.push({
        accountIndex,
        mint,
        owner: dec.value.owner.toBase58(),
        programId: st.owner,
        amount: dec.value.amount,
        decimals,
      });
    });
    return out;
  }
}

/** A system transfer signed by `from` (used by requestAirdrop so airdrops are real transactions). */
export function transferTx(from: Keypair, to: PublicKey, lamports: bigint, blockhash: string): Uint8Array {
  const tx = new Transaction({ feePayer: from.publicKey, recentBlockhash: blockhash }).add(
    SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }),
  );
  tx.sign(from);
  return tx.serialize();
}

export const signatureString = (sig: Uint8Array): string => bs58.encode(sig);
