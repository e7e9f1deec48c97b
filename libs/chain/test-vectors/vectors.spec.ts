import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { decodeInstruction, decodeProgramDataLog, decodeRvAccount } from '../src';
import { accountVectors, eventVectors, instructionVectors, render } from './generate';

interface Vector {
  name: string;
  hex: string;
  log?: string;
  fields?: Record<string, unknown>;
  args?: Record<string, unknown>;
}
const read = (f: string) => readFileSync(join(__dirname, f), 'utf8');
const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Converts a decoded value back to the JSON form used by the vector files. */
function toJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return v;
  if (v instanceof PublicKey) return v.toBase58();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  throw new Error(`unexpected ${String(v)}`);
}

describe('golden vectors (shared with cargo test in programs/rainbow_veil)', () => {
  it('committed files are exactly what the generator produces', () => {
    expect(read('events.json')).toBe(render(eventVectors()));
    expect(read('instructions.json')).toBe(render(instructionVectors()));
    expect(read('accounts.json')).toBe(render(accountVectors()));
  });

  it('every account vector decodes to its fields', () => {
    const { accounts } = JSON.parse(read('accounts.json')) as { accounts: Vector[] };
    expect(new Set(accounts.map((a) => a.name)).size).toBe(4);
    for (const v of accounts) {
      const r = decodeRvAccount(Buffer.from(v.hex, 'hex'));
      if (!r.ok) throw new Error(`${v.name}: ${r.error.message}`);
      expect(r.value.name).toBe(v.name);
      const got = Object.fromEntries(Object.entries(r.value.data).map(([k, x]) => [k, toJson(x)]));
      const want = Object.fromEntries(Object.entries(v.fields ?? {}).map(([k, x]) => [camel(k), x]));
      expect(got).toEqual(want);
    }
  });

  it('every event vector decodes from its log line to its fields', () => {
    const { events } = JSON.parse(read('events.json')) as { events: Vector[] };
    expect(new Set(events.map((e) => e.name)).size).toBe(4);
    for (const v of events) {
      expect(v.log).toBe(`Program data: ${Buffer.from(v.hex, 'hex').toString('base64')}`);
      const r = decodeProgramDataLog(v.log as string);
      if (!r.ok) throw new Error(`${v.name}: ${r.error.message}`);
      expect(r.value.name).toBe(v.name);
      const got = Object.fromEntries(Object.entries(r.value.data).map(([k, x]) => [k, toJson(x)]));
      const want = Object.fromEntries(Object.entries(v.fields ?? {}).map(([k, x]) => [camel(k), x]));
      expect(got).toEqual(want);
    }
  });

  it('every instruction vector decodes to its args', () => {
    const { instructions } = JSON.parse(read('instructions.json')) as { instructions: Vector[] };
    expect(new Set(instructions.map((i) => i.name)).size).toBe(5);
    for (const v of instructions) {
      const r = decodeInstruction(Buffer.from(v.hex, 'hex'));
      if (!r.ok) throw new Error(`${v.name}: ${r.error.message}`);
      expect(r.value.name).toBe(v.name);
      const got = Object.fromEntries(Object.entries(r.value.args).map(([k, x]) => [k, toJson(x)]));
      const want = Object.fromEntries(Object.entries(v.args ?? {}).map(([k, x]) => [camel(k), x]));
      expect(got).toEqual(want);
    }
  });
});
