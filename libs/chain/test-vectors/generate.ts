// Golden vectors shared with the Rust tests (programs/rainbow_veil/tests/golden.rs).
// Regenerate: node -r @swc-node/register libs/chain/test-vectors/generate.ts
// Values are derived from fixed labels (sha256), so the output is byte-for-byte deterministic.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import {
  configPda,
  encodeEvent,
  encodeInstructionData,
  encodeRvAccount,
  identityPda,
  nullifierPda,
  RAINBOW_VEIL_PROGRAM_ID,
  RvAccount,
  RvEvent,
  RvInstruction,
  trackPda,
} from '../src';

const U64_MAX = (1n << 64n) - 1n;
const bytes32 = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest());
const key = (label: string): PublicKey => new PublicKey(bytes32(`key:${label}`));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ones = new Uint8Array(32).fill(0xff);
const zeros = new Uint8Array(32);

/** JSON form of a field value: u64 decimal string, u8 number, pubkey base58, bytes hex. */
type JsonValue = string | number | JsonValue[];
function jsonValue(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return v;
  if (v instanceof PublicKey) return v.toBase58();
  if (v instanceof Uint8Array) return hex(v);
  throw new Error(`unexpected value ${String(v)}`);
}
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function jsonFields(o: object): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), jsonValue(v)]));
}

export const EVENT_CASES: RvEvent[] = [
  { name: 'TrackRegistered', data: { trackId: 1n, mint: key('mint-1'), depth: 20 } },
  { name: 'TrackRegistered', data: { trackId: U64_MAX, mint: key('mint-max'), depth: 32 } },
  { name: 'TrackRegistered', data: { trackId: 0n, mint: PublicKey.default, depth: 1 } },
  { name: 'IdentityRegistered', data: { wallet: key('wallet-1'), commitment: bytes32('commitment-1') } },
  { name: 'IdentityRegistered', data: { wallet: key('wallet-2'), commitment: ones } },
  {
    name: 'MerkleRootUpdated',
    data: { trackId: 7n, root: bytes32('root-7-1'), leafCount: 1000n, seq: 1n },
  },
  {
    name: 'MerkleRootUpdated',
    data: { trackId: 0x0102030405060708n, root: zeros, leafCount: 0n, seq: U64_MAX },
  },
  {
    name: 'OwnershipVerified',
    data: {
      trackId: 7n,
      scope: bytes32('scope-2026-11'),
      nullifier: bytes32('nullifier-1'),
      root: bytes32('root-7-1'),
      verifier: key('verifier'),
    },
  },
  {
    name: 'OwnershipVerified',
    data: { trackId: U64_MAX, scope: ones, nullifier: zeros, root: ones, verifier: key('verifier-2') },
  },
];

export const INSTRUCTION_CASES: RvInstruction[] = [
  { name: 'initialize', args: { rootAuthority: key('root-authority'), verifier: key('verifier') } },
  { name: 'register_track', args: { trackId: 7n, mint: key('mint-7'), depth: 20 } },
  { name: 'register_track', args: { trackId: U64_MAX, mint: key('mint-max'), depth: 32 } },
  { name: 'register_identity', args: { commitment: bytes32('commitment-1') } },
  { name: 'update_root', args: { trackId: 7n, root: bytes32('root-7-2'), leafCount: 1001n, seq: 2n } },
  {
    name: 'record_verification',
    args: {
      trackId: 7n,
      scope: bytes32('scope-2026-11'),
      nullifier: bytes32('nullifier-1'),
      root: bytes32('root-7-1'),
    },
  },
];

const ring = (n: number, label: string): Uint8Array[] =>
  Array.from({ length: 64 }, (_x, i) => (i < n ? bytes32(`${label}-${i}`) : new Uint8Array(32)));

export const ACCOUNT_CASES: RvAccount[] = [
  { name: 'Config', data: { rootAuthority: key('root-authority'), verifier: key('verifier'), bump: 253 } },
  { name: 'Identity', data: { wallet: key('wallet-1'), commitment: bytes32('commitment-1'), bump: 255 } },
  {
    name: 'NullifierRecord',
    data: {
      trackId: 7n,
      scope: bytes32('scope-2026-11'),
      nullifier: bytes32('nullifier-1'),
      root: bytes32('root-7-1'),
      verifier: key('verifier'),
      slot: 123456789n,
      bump: 251,
    },
  },
  {
    name: 'Track',
    data: {
      trackId: 7n,
      leafCount: 0n,
      lastSeq: 0n,
      mint: key('mint-7'),
      roots: ring(0, 'root'),
      rootHead: 0,
      rootCount: 0,
      depth: 20,
      bump: 255,
      padding: new Uint8Array(4),
    },
  },
  {
    name: 'Track',
    data: {
      trackId: U64_MAX,
      leafCount: 1n << 32n,
      lastSeq: 70n,
      mint: key('mint-max'),
      roots: ring(64, 'root-max'),
      rootHead: 6,
      rootCount: 64,
      depth: 32,
      bump: 254,
      padding: new Uint8Array(4),
    },
  },
];

export function accountVectors(): object {
  return {
    description:
      'rainbow_veil account data = sha256("account:<Name>")[0..8] ++ fields (Borsh; Track is zero-copy repr(C), identical bytes). Same value encoding as events.json.',
    program_id: RAINBOW_VEIL_PROGRAM_ID.toBase58(),
    accounts: ACCOUNT_CASES.map((a) => ({
      name: a.name,
      fields: jsonFields(a.data),
      hex: hex(encodeRvAccount(a)),
    })),
  };
}

export function eventVectors(): object {
  return {
    description:
      'rainbow_veil events: data = sha256("event:<Name>")[0..8] ++ Borsh(fields); u64 as decimal strings, pubkeys base58, byte arrays hex. Checked by libs/chain (jest) and programs/rainbow_veil (cargo test).',
    program_id: RAINBOW_VEIL_PROGRAM_ID.toBase58(),
    events: EVENT_CASES.map((ev) => {
      const data = encodeEvent(ev);
      return {
        name: ev.name,
        fields: jsonFields(ev.data),
        hex: hex(data),
        log: `Program data: ${Buffer.from(data).toString('base64')}`,
      };
    }),
  };
}

export function instructionVectors(): object {
  return {
    description:
      'rainbow_veil instruction data = sha256("global:<name>")[0..8] ++ Borsh(args); same value encoding as events.json. pdas: program-derived addresses of the contract seeds (track id as u64 LE).',
    program_id: RAINBOW_VEIL_PROGRAM_ID.toBase58(),
    instructions: INSTRUCTION_CASES.map((ix) => ({
      name: ix.name,
      args: jsonFields(ix.args),
      hex: hex(encodeInstructionData(ix)),
    })),
    pdas: [
      { seeds: 'config', ...pda(configPda()) },
      { seeds: 'track', track_id: '7', ...pda(trackPda(7n)) },
      { seeds: 'track', track_id: U64_MAX.toString(), ...pda(trackPda(U64_MAX)) },
      { seeds: 'identity', wallet: key('wallet-1').toBase58(), ...pda(identityPda(key('wallet-1'))) },
      {
        seeds: 'nullifier',
        track_id: '7',
        nullifier: hex(bytes32('nullifier-1')),
        ...pda(nullifierPda(7n, bytes32('nullifier-1'))),
      },
    ],
  };
}

const pda = ([address, bump]: [PublicKey, number]) => ({ address: address.toBase58(), bump });

export const render = (o: object): string => `${JSON.stringify(o, null, 2)}\n`;

if (require.main === module) {
  writeFileSync(join(__dirname, 'events.json'), render(eventVectors()));
  writeFileSync(join(__dirname, 'instructions.json'), render(instructionVectors()));
  writeFileSync(join(__dirname, 'accounts.json'), render(accountVectors()));
  console.log('wrote libs/chain/test-vectors/{events,instructions,accounts}.json');
}
