import { PublicKey } from '@solana/web3.js';
import idlJson from '../../../programs/rainbow_veil/idl/rainbow_veil.json';

/** Anchor 0.30+ IDL shape, limited to what this program uses. */
export type IdlType = 'u8' | 'u64' | 'pubkey' | { array: [IdlType, number] };
export interface IdlField {
  name: string;
  type: IdlType;
}
export interface IdlSeed {
  kind: 'const' | 'arg' | 'account';
  value?: number[];
  path?: string;
}
export interface IdlInstructionAccount {
  name: string;
  writable?: boolean;
  signer?: boolean;
  address?: string;
  pda?: { seeds: IdlSeed[] };
}
export interface RainbowVeilIdl {
  address: string;
  metadata: { name: string; version: string; spec: string; description?: string };
  instructions: {
    name: string;
    docs?: string[];
    discriminator: number[];
    accounts: IdlInstructionAccount[];
    args: IdlField[];
  }[];
  accounts: { name: string; discriminator: number[] }[];
  events: { name: string; discriminator: number[] }[];
  errors: { code: number; name: string; msg: string }[];
  types: {
    name: string;
    serialization?: string;
    repr?: { kind: string };
    type: { kind: 'struct'; fields: IdlField[] };
  }[];
}

/** The committed IDL (programs/rainbow_veil/idl/rainbow_veil.json): the contract with the program. */
export const IDL: RainbowVeilIdl = idlJson as RainbowVeilIdl;

export const RAINBOW_VEIL_PROGRAM_ID = new PublicKey(IDL.address);

/** Anchor custom error codes of the program (6000 + index), e.g. for `custom program error: 0x1773`. */
export const RV_ERROR_CODES = {
  Unauthorized: 6000,
  SeqNotIncreasing: 6001,
  UnknownRoot: 6002,
  NullifierUsed: 6003,
  InvalidDepth: 6004,
  IdentityAlreadyRegistered: 6005,
  ArithmeticOverflow: 6006,
} as const;
export type RvErrorName = keyof typeof RV_ERROR_CODES;

/** Number of roots kept per track by update_root (the ring record_verification checks). */
export const ROOT_HISTORY_LEN = 64;
export const MIN_DEPTH = 1;
export const MAX_DEPTH = 32;
