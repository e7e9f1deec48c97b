import { PublicKey } from '@solana/web3.js';
import { decodeBase64, decodeFixed, encodeBase64, startsWith, writeFields } from './codec';
import { IDL, IdlField, RAINBOW_VEIL_PROGRAM_ID } from './program';
import { DecodeError, DecodeResult, fail, ok } from './result';

export interface TrackRegistered {
  trackId: bigint;
  mint: PublicKey;
  depth: number;
}
export interface IdentityRegistered {
  wallet: PublicKey;
  commitment: Uint8Array;
}
export interface MerkleRootUpdated {
  trackId: bigint;
  root: Uint8Array;
  leafCount: bigint;
  seq: bigint;
}
export interface OwnershipVerified {
  trackId: bigint;
  scope: Uint8Array;
  nullifier: Uint8Array;
  root: Uint8Array;
  verifier: PublicKey;
}

/** An event of the rainbow_veil program; field names are the IDL names in camelCase. */
export type RvEvent =
  | { name: 'TrackRegistered'; data: TrackRegistered }
  | { name: 'IdentityRegistered'; data: IdentityRegistered }
  | { name: 'MerkleRootUpdated'; data: MerkleRootUpdated }
  | { name: 'OwnershipVerified'; data: OwnershipVerified };
export type RvEventName = RvEvent['name'];

export const RV_EVENT_NAMES: readonly RvEventName[] = [
  'TrackRegistered',
  'IdentityRegistered',
  'MerkleRootUpdated',
  'OwnershipVerified',
];

interface EventLayout {
  name: RvEventName;
  discriminator: number[];
  fields: IdlField[];
}

const LAYOUTS: ReadonlyMap<RvEventName, EventLayout> = new Map(
  RV_EVENT_NAMES.map((name) => {
    const ev = IDL.events.find((e) => e.name === name);
    const ty = IDL.types.find((t) => t.name === name);
    if (!ev || !ty) throw new Error(`IDL has no event ${name}`); // static file; checked by the spec
    return [name, { name, discriminator: ev.discriminator, fields: ty.type.fields }];
  }),
);

const PROGRAM_DATA = 'Program data: ';

/** Anchor event bytes: sha256("event:<Name>")[0..8] ++ Borsh(fields). Throws RangeError on bad input. */
export function encodeEvent(ev: RvEvent): Uint8Array {
  const layout = LAYOUTS.get(ev.name);
  if (!layout) throw new RangeError(`unknown event ${String(ev.name)}`);
  return writeFields(layout.discriminator, layout.fields, ev.data as unknown as Record<string, unknown>);
}

/** The log line the program prints for `ev` (`Program data: <base64>`). */
export function eventLogLine(ev: RvEvent): string {
  return PROGRAM_DATA + encodeBase64(encodeEvent(ev));
}

/** Decodes raw event bytes (discriminator + Borsh). */
export function decodeEventData(data: Uint8Array): DecodeResult<RvEvent> {
  if (data.length < 8)
    return fail('truncated', `event data has ${data.length} bytes, less than a discriminator`);
  for (const layout of LAYOUTS.values()) {
    if (!startsWith(data, layout.discriminator)) continue;
    const r = decodeFixed(layout.name, data, 8, layout.fields);
    if (!r.ok) return r;
    return ok({ name: layout.name, data: r.value } as unknown as RvEvent);
  }
  return fail('unknown_discriminator', 'event discriminator is not one of rainbow_veil events');
}

/** Decodes one `Program data: <base64>` log line. Never throws. */
export function decodeProgramDataLog(line: string): DecodeResult<RvEvent> {
  if (!line.startsWith(PROGRAM_DATA))
    return fail('not_program_data', 'line does not start with "Program data: "');
  const rest = line.slice(PROGRAM_DATA.length).trim();
  // sol_log_data prints one base64 string per slice; Anchor's emit! logs exactly one.
  if (rest.includes(' ')) return fail('invalid_value', 'Program data line carries more than one slice');
  const bytes = decodeBase64(rest);
  if (!bytes.ok) return bytes;
  return decodeEventData(bytes.value);
}

export interface LogEvent {
  /** Index of the log line the event came from. */
  logIndex: number;
  event: RvEvent;
}
export interface LogDecodeError extends DecodeError {
  logIndex: number;
}
export interface LogEventsResult {
  events: LogEvent[];
  /** `Program data:` lines printed by this program that did not decode (a schema mismatch to alarm on). */
  errors: LogDecodeError[];
}

const INVOKE_RE = /^Program (\w+) invoke \[(\d+)\]$/;
const END_RE = /^Program (\w+) (?:success$|failed)/;

/**
 * Events printed by `programId` (default rainbow_veil) in a transaction's log messages. Tracks the
 * invoke stack (`Program X invoke [n]` / `Program X success|failed`) so `Program data:` lines of
 * other programs — including CPIs made by or into this program — are attributed correctly. Never throws.
 */
export function decodeEventsFromLogs(
  logs: readonly string[],
  programId: PublicKey = RAINBOW_VEIL_PROGRAM_ID,
): LogEventsResult {
  const id = programId.toBase58();
  const stack: string[] = [];
  const events: LogEvent[] = [];
  const errors: LogDecodeError[] = [];
  logs.forEach((line, logIndex) => {
    const inv = INVOKE_RE.exec(line);
    if (inv) {
      // Depth n means the stack holds n-1 frames below; resynchronise if logs were truncated.
      const depth = Number(inv[2]);
      stack.length = Math.max(0, Math.min(stack.length, depth - 1));
      stack.push(inv[1] as string);
      return;
    }
    const end = END_RE.exec(line);
    if (end) {
      if (stack[stack.length - 1] === end[1]) stack.pop();
      return;
    }
    if (line.startsWith(PROGRAM_DATA) && stack[stack.length - 1] === id) {
      const r = decodeProgramDataLog(line);
      if (r.ok) events.push({ logIndex, event: r.value });
      else errors.push({ ...r.error, logIndex });
    }
  });
  return { events, errors };
}
