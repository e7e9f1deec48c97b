import { PublicKey, SystemProgram } from '@solana/web3.js';
import {
  IDL,
  MAX_DEPTH,
  MIN_DEPTH,
  RAINBOW_VEIL_PROGRAM_ID,
  ROOT_HISTORY_LEN,
  RV_ERROR_CODES,
  RvEvent,
  RvInstruction,
  configPda,
  decodeInstruction,
  eventLogLine,
  identityPda,
  nullifierPda,
  trackPda,
} from '@rv/chain';
import { AccountName, accountSize, decodeAccount, encodeAccount } from './rv-accounts';
import type { AccountState } from './types';

/**
 * The rainbow_veil program applied in TypeScript (no BPF binary runs here). Same checks, same
 * account layouts and exactly the event bytes of @rv/chain, printed the way Anchor prints them.
 * Error codes: the program's custom errors (6000+), Anchor's AccountNotSigner (3010),
 * ConstraintSeeds (2006), AccountNotInitialized (3012), InstructionDidNotDeserialize (102) and the
 * system program's "already in use" (0) / "insufficient lamports" (1) for PDA creation.
 */
export interface AccountStore {
  get(pubkey: string): AccountState | null;
  set(pubkey: string, state: AccountState | null): void;
  rentExempt(dataLen: number): bigint;
}

export interface IxAccount {
  pubkey: string;
  isSigner: boolean;
  isWritable: boolean;
}

export type IxResult = { ok: true; logs: string[] } | { ok: false; logs: string[]; code: number };

const ANCHOR = {
  InstructionDidNotDeserialize: 102,
  ConstraintSeeds: 2006,
  AccountNotSigner: 3010,
  AccountNotInitialized: 3012,
} as const;
const SYSTEM_ALREADY_IN_USE = 0;
const SYSTEM_INSUFFICIENT_FUNDS = 1;
const SYSTEM_ID = SystemProgram.programId.toBase58();

class IxFailure extends Error {
  constructor(
    readonly code: number,
    readonly logLines: string[],
  ) {
    super(`custom program error: ${code}`);
  }
}

function errorName(code: number): string | undefined {
  return IDL.errors.find((e) => e.code === code)?.name;
}

function anchorFail(code: number, message: string): IxFailure {
  const name = errorName(code) ?? Object.entries(ANCHOR).find(([, c]) => c === code)?.[0] ?? 'Error';
  return new IxFailure(code, [
    `Program log: AnchorError occurred. Error Code: ${name}. Error Number: ${code}. Error Message: ${message}.`,
  ]);
}

const pascal = (snake: string) => snake.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());

export class RainbowVeilProgram {
  readonly programId: string;
  private readonly program: PublicKey;

  constructor(programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID) {
    this.program = programId;
    this.programId = programId.toBase58();
  }

  /** Runs one top-level instruction; on failure the caller discards every write of the transaction. */
  execute(keys: IxAccount[], data: Uint8Array, store: AccountStore, slot: number): IxResult {
    const id = this.programId;
    const logs = [`Program ${id} invoke [1]`];
    const decoded = decodeInstruction(data);
    try {
      if (!decoded.ok) {
        throw new IxFailure(ANCHOR.InstructionDidNotDeserialize, [
          `Program log: AnchorError occurred. Error Code: InstructionDidNotDeserialize. Error Number: 102. Error Message: ${decoded.error.message}.`,
        ]);
      }
      logs.push(`Program log: Instruction: ${pascal(decoded.value.name)}`);
      const events = this.apply(decoded.value, keys, store, slot, logs);
      for (const ev of events) logs.push(eventLogLine(ev));
      logs.push(`Program ${id} consumed ${computeUnits(decoded.value.name)} of 200000 compute units`);
      logs.push(`Program ${id} success`);
      return { ok: true, logs };
    } catch (e) {
      if (!(e instanceof IxFailure)) throw e;
      logs.push(...e.logLines);
      logs.push(
        `Program ${id} consumed ${computeUnits(decoded.ok ? decoded.value.name : 'x') / 2} of 200000 compute units`,
      );
      logs.push(`Program ${id} failed: custom program error: 0x${e.code.toString(16)}`);
      return { ok: false, logs, code: e.code };
    }
  }

  private apply(
    ix: RvInstruction,
    keys: IxAccount[],
    store: AccountStore,
    slot: number,
    logs: string[],
  ): RvEvent[] {
    const acct = (i: number, name: string): IxAccount => {
      const k = keys[i];
      if (!k) throw anchorFail(3005, `Not enough account keys given to the instruction (missing ${name})`);
      return k;
    };
    const signer = (i: number, name: string): IxAccount => {
      const k = acct(i, name);
      if (!k.isSigner)
        throw anchorFail(ANCHOR.AccountNotSigner, `The given account is not a signer (${name})`);
      return k;
    };
    const pda = (i: number, name: string, expected: PublicKey): IxAccount => {
      const k = acct(i, name);
      if (k.pubkey !== expected.toBase58())
        throw anchorFail(ANCHOR.ConstraintSeeds, `A seeds constraint was violated (${name})`);
      return k;
    };
    const load = (k: IxAccount, name: AccountName): Record<string, unknown> => {
      const st = store.get(k.pubkey);
      const v = st && st.owner === this.programId ? decodeAccount(name, st.data) : null;
      if (!v)
        throw anchorFail(
          ANCHOR.AccountNotInitialized,
          `The program expected this account to be already initialized (${name})`,
        );
      return v;
    };
    const save = (k: IxAccount, name: AccountName, values: Record<string, unknown>) => {
      const st = store.get(k.pubkey);
      if (!st) throw new Error(`account ${k.pubkey} vanished`);
      store.set(k.pubkey, { ...st, data: encodeAccount(name, values) });
    };
    const create = (k: IxAccount, payer: IxAccount, name: AccountName, values: Record<string, unknown>) => {
      const size = accountSize(name);
      const rent = store.rentExempt(size);
      logs.push(`Program ${SYSTEM_ID} invoke [2]`);
      const existing = store.get(k.pubkey);
      if (existing && existing.lamports > 0n) {
        throw new IxFailure(SYSTEM_ALREADY_IN_USE, [
          `Program log: Allocate: account Address { address: ${k.pubkey}, base: None } already in use`,
          `Program ${SYSTEM_ID} failed: custom program error: 0x0`,
        ]);
      }
      const payerState = store.get(payer.pubkey);
      if (!payerState || payerState.lamports < rent) {
        throw new IxFailure(SYSTEM_INSUFFICIENT_FUNDS, [
          `Program log: Transfer: insufficient lamports ${payerState?.lamports ?? 0n}, need ${rent}`,
          `Program ${SYSTEM_ID} failed: custom program error: 0x1`,
        ]);
      }
      logs.push(`Program ${SYSTEM_ID} success`);
      store.set(payer.pubkey, { ...payerState, lamports: payerState.lamports - rent });
      store.set(k.pubkey, {
        lamports: rent,
        data: encodeAccount(name, values),
        owner: this.programId,
        executable: false,
        rentEpoch: 18446744073709551615n,
      });
    };
    const config = (i: number) => {
      const k = pda(i, 'config', configPda(this.program)[0]);
      return load(k, 'Config');
    };
    const fail = (name: keyof typeof RV_ERROR_CODES, message: string) =>
      anchorFail(RV_ERROR_CODES[name], message);

    switch (ix.name) {
      case 'initialize': {
        const [cfg, bump] = configPda(this.program);
        const k = pda(0, 'config', cfg);
        const payer = signer(1, 'payer');
        create(k, payer, 'Config', {
          root_authority: ix.args.rootAuthority,
          verifier: ix.args.verifier,
          bump,
        });
        return [];
      }
      case 'register_track': {
        const cfg = config(0);
        const { trackId, mint, depth } = ix.args;
        const [expected, bump] = trackPda(trackId, this.program);
        const track = pda(1, 'track', expected);
        const authority = signer(2, 'authority');
        const payer = signer(3, 'payer');
        if (authority.pubkey !== (cfg.root_authority as PublicKey).toBase58()) {
          throw fail('Unauthorized', 'Signer is not the authority for this instruction');
        }
        if (depth < MIN_DEPTH || depth > MAX_DEPTH)
          throw fail('InvalidDepth', 'Tree depth must be in 1..=32');
        create(track, payer, 'Track', {
          track_id: trackId,
          leaf_count: 0n,
          last_seq: 0n,
          mint,
          roots: [],
          root_head: 0,
          root_count: 0,
          depth,
          bump,
        });
        return [{ name: 'TrackRegistered', data: { trackId, mint, depth } }];
      }
      case 'register_identity': {
        const wallet = signer(1, 'wallet');
        const walletKey = new PublicKey(wallet.pubkey);
        const [expected, bump] = identityPda(walletKey, this.program);
        const identity = pda(0, 'identity', expected);
        const existing = store.get(identity.pubkey);
        if (existing && existing.lamports > 0n) {
          throw fail('IdentityAlreadyRegistered', 'Wallet already registered an identity');
        }
        create(identity, wallet, 'Identity', { wallet: walletKey, commitment: ix.args.commitment, bump });
        return [{ name: 'IdentityRegistered', data: { wallet: walletKey, commitment: ix.args.commitment } }];
      }
      case 'update_root': {
        const cfg = config(0);
        const { trackId, root, leafCount, seq } = ix.args;
        const track = pda(1, 'track', trackPda(trackId, this.program)[0]);
        const authority = signer(2, 'authority');
        if (authority.pubkey !== (cfg.root_authority as PublicKey).toBase58()) {
          throw fail('Unauthorized', 'Signer is not the authority for this instruction');
        }
        const t = load(track, 'Track');
        if (seq <= (t.last_seq as bigint))
          throw fail('SeqNotIncreasing', 'Root seq must be greater than the last accepted seq');
        const roots = t.roots as Uint8Array[];
        const head = t.root_head as number;
        roots[head] = root;
        save(track, 'Track', {
          ...t,
          roots,
          root_head: (head + 1) % ROOT_HISTORY_LEN,
          root_count: Math.min((t.root_count as number) + 1, ROOT_HISTORY_LEN),
          leaf_count: leafCount,
          last_seq: seq,
        });
        return [{ name: 'MerkleRootUpdated', data: { trackId, root, leafCount, seq } }];
      }
      case 'record_verification': {
        const cfg = config(0);
        const { trackId, scope, nullifier, root } = ix.args;
        const track = pda(1, 'track', trackPda(trackId, this.program)[0]);
        const [expected, bump] = nullifierPda(trackId, nullifier, this.program);
        const record = pda(2, 'nullifier', expected);
        const verifier = signer(3, 'verifier');
        if (verifier.pubkey !== (cfg.verifier as PublicKey).toBase58()) {
          throw fail('Unauthorized', 'Signer is not the authority for this instruction');
        }
        const t = load(track, 'Track');
        const roots = t.roots as Uint8Array[];
        const count = t.root_count as number;
        const known = roots.slice(0, count).some((r) => r.length === 32 && r.every((b, i) => b === root[i]));
        if (!known) throw fail('UnknownRoot', 'Root is not in the track root history');
        const existing = store.get(record.pubkey);
        if (existing && existing.lamports > 0n)
          throw fail('NullifierUsed', 'Nullifier already used for this track');
        const verifierKey = new PublicKey(verifier.pubkey);
        create(record, verifier, 'NullifierRecord', {
          track_id: trackId,
          scope,
          nullifier,
          root,
          verifier: verifierKey,
          slot: BigInt(slot),
          bump,
        });
        return [
          { name: 'OwnershipVerified', data: { trackId, scope, nullifier, root, verifier: verifierKey } },
        ];
      }
      default: {
        const never: never = ix;
        throw new Error(`unhandled instruction ${JSON.stringify(never)}`);
      }
    }
  }
}

function computeUnits(name: string): number {
  // Plausible, fixed figures (no BPF runs here); stable so tests and replays are deterministic.
  switch (name) {
    case 'initialize':
      return 9000;
    case 'register_track':
      return 14000;
    case 'register_identity':
      return 11000;
    case 'update_root':
      return 6000;
    case 'record_verification':
      return 16000;
    default:
      return 2000;
  }
}
