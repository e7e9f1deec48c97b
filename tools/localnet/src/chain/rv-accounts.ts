import { PublicKey } from '@solana/web3.js';
import { IDL } from '@rv/chain';

/**
 * Anchor account data of the rainbow_veil program (discriminator ++ Borsh of the IDL struct), so
 * account updates and getAccountInfo carry the bytes the real program would store. The layouts
 * come from the committed IDL; only the types it uses (u8, u64, pubkey, fixed arrays) exist.
 */
export type AccountName = 'Config' | 'Track' | 'Identity' | 'NullifierRecord';
type IdlType = (typeof IDL.types)[number]['type']['fields'][number]['type'];
export type FieldValue = number | bigint | PublicKey | Uint8Array | Uint8Array[];

function typeSize(t: IdlType): number {
  if (t === 'u8') return 1;
  if (t === 'u64') return 8;
  if (t === 'pubkey') return 32;
  return typeSize(t.array[0]) * t.array[1];
}

function layout(name: AccountName) {
  const acc = IDL.accounts.find((a) => a.name === name);
  const ty = IDL.types.find((t) => t.name === name);
  if (!acc || !ty) throw new Error(`IDL has no account ${name}`);
  const fields = ty.type.fields;
  return {
    discriminator: acc.discriminator,
    fields,
    size: 8 + fields.reduce((s, f) => s + typeSize(f.type), 0),
  };
}

export function accountSize(name: AccountName): number {
  return layout(name).size;
}

function writeValue(buf: Uint8Array, view: DataView, o: number, t: IdlType, v: unknown): number {
  if (t === 'u8') {
    view.setUint8(o, Number(v ?? 0));
    return o + 1;
  }
  if (t === 'u64') {
    view.setBigUint64(o, BigInt((v as bigint | number | undefined) ?? 0), true);
    return o + 8;
  }
  if (t === 'pubkey') {
    if (v) buf.set((v as PublicKey).toBytes(), o);
    return o + 32;
  }
  const [inner, len] = t.array;
  if (inner === 'u8') {
    if (v) buf.set(v as Uint8Array, o);
    return o + len;
  }
  const items = (v as unknown[] | undefined) ?? [];
  for (let i = 0; i < len; i++) o = writeValue(buf, view, o, inner, items[i]);
  return o;
}

function readValue(buf: Uint8Array, view: DataView, o: number, t: IdlType): [unknown, number] {
  if (t === 'u8') return [view.getUint8(o), o + 1];
  if (t === 'u64') return [view.getBigUint64(o, true), o + 8];
  if (t === 'pubkey') return [new PublicKey(buf.slice(o, o + 32)), o + 32];
  const [inner, len] = t.array;
  if (inner === 'u8') return [buf.slice(o, o + len), o + len];
  const out: unknown[] = [];
  for (let i = 0; i < len; i++) {
    const [v, n] = readValue(buf, view, o, inner);
    out.push(v);
    o = n;
  }
  return [out, o];
}

/** Field names are the IDL snake_case names. */
export function encodeAccount(name: AccountName, values: Record<string, unknown>): Uint8Array {
  const l = layout(name);
  const buf = new Uint8Array(l.size);
  const view = new DataView(buf.buffer);
  buf.set(l.discriminator, 0);
  let o = 8;
  for (const f of l.fields) o = writeValue(buf, view, o, f.type, values[f.name]);
  return buf;
}

export function decodeAccount(name: AccountName, data: Uint8Array): Record<string, unknown> | null {
  const l = layout(name);
  if (data.length < l.size || !l.discriminator.every((b, i) => data[i] === b)) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Record<string, unknown> = {};
  let o = 8;
  for (const f of l.fields) {
    const [v, n] = readValue(data, view, o, f.type);
    out[f.name] = v;
    o = n;
  }
  return out;
}
