import type { Producer, ProducerRecord } from 'kafkajs';
import type { Pool } from 'pg';
import type { ChainUpdate } from '@rv/events';
import { ChainPublisher, type DurableMarks } from './chain-publisher';
import { slotStatusUpdate } from './normalize';

const WALLET = '4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T';
const MINT = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin';

const holding = (slot: number, n: number): ChainUpdate => ({
  type: 'holding_changed',
  id: `acct${n}:${slot}`,
  slot,
  tokenAccount: WALLET,
  wallet: WALLET,
  mint: MINT,
  amount: BigInt(n),
  writeVersion: BigInt(n),
});

/** A producer whose sends can be held and failed, and a pool that records statements. */
function fakes() {
  const sends: { record: ProducerRecord; release: () => void; fail: (e: Error) => void }[] = [];
  const producer = {
    send: (record: ProducerRecord) =>
      new Promise((resolve, reject) => {
        sends.push({ record, release: () => resolve([]), fail: reject });
      }),
  } as unknown as Producer;
  const statements: string[] = [];
  const params: unknown[][] = [];
  const pool = {
    query: async (sql: string, values: unknown[] = []) => {
      statements.push(sql);
      params.push(values);
      return { rows: [], rowCount: 0 };
    },
  } as unknown as Pool;
  return { sends, producer, pool, statements, params };
}

const tick = () => new Promise((r) => setTimeout(r, 1));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe('ChainPublisher (group commit)', () => {
  it('starts a batch at a slot mark, or after lingering, and batches what arrives while one is in flight', async () => {
    const f = fakes();
    const durable: DurableMarks[] = [];
    const pub = new ChainPublisher(f.pool, f.producer, 't', undefined, {
      onDurable: async (m) => void durable.push(m),
    });
    pub.push(holding(5, 1));
    expect(f.sends).toHaveLength(0); // lingers (no slot mark yet)
    await until(() => f.sends.length === 1);
    for (let i = 2; i <= 4; i++) pub.push(holding(5, i));
    pub.push(slotStatusUpdate(5, 'confirmed'));
    pub.markConfirmed(5);
    expect(f.sends).toHaveLength(1); // one batch in flight at a time
    expect(durable).toEqual([]);
    f.sends[0]!.release();
    await until(() => f.sends.length === 2);
    expect(f.sends[1]!.record.messages).toHaveLength(4);
    expect(durable).toEqual([]); // the checkpoint waits for the batch holding the slot's status
    const flushed = pub.flush();
    f.sends[1]!.release();
    await flushed;
    expect(durable).toEqual([{ confirmed: 5 }]);
    expect(pub.published).toBe(5);
    const ids = f.sends.flatMap((s) => s.record.messages.map((m) => m.headers?.['rv-idempotency-key']));
    expect(ids).toEqual(['acct1:5', 'acct2:5', 'acct3:5', 'acct4:5', 'slot:5:confirmed']);
  });

  it('journals before sending and never marks anything durable after a failed batch until reset', async () => {
    const f = fakes();
    const durable: DurableMarks[] = [];
    const pub = new ChainPublisher(f.pool, f.producer, 't', undefined, {
      onDurable: async (m) => void durable.push(m),
    });
    pub.push(holding(7, 1));
    pub.push(slotStatusUpdate(7, 'confirmed'));
    pub.markConfirmed(7); // a slot mark: the batch starts at once
    await Promise.resolve();
    await until(() => f.sends.length === 1);
    expect(f.statements.some((q) => q.includes('indexer_published'))).toBe(true);
    pub.push(holding(8, 2));
    pub.push(slotStatusUpdate(8, 'confirmed'));
    pub.markConfirmed(8);
    f.sends[0]!.fail(new Error('broker gone'));
    await expect(pub.flush()).rejects.toThrow('broker gone');
    expect(() => pub.push(holding(9, 3))).toThrow('broker gone');
    await tick();
    expect(f.sends).toHaveLength(1); // slot 8 never left, so its mark can never move the checkpoint
    expect(durable).toEqual([]);
    await pub.reset();
    pub.push(slotStatusUpdate(9, 'confirmed'));
    pub.markConfirmed(9);
    const flushed = pub.flush();
    await until(() => f.sends.length === 2);
    expect(f.sends[1]!.record.messages).toHaveLength(1); // the dropped records are replayed by the stream
    f.sends[1]!.release();
    await flushed;
    expect(durable).toEqual([{ confirmed: 9 }]);
  });

  it('journals one row per program event and per (slot, token account), and keys records by their wallet bytes', async () => {
    const f = fakes();
    const pub = new ChainPublisher(f.pool, f.producer, 't');
    const other = (slot: number, n: number): ChainUpdate => ({
      ...(holding(slot, n) as Extract<ChainUpdate, { type: 'holding_changed' }>),
      id: `other${n}:${slot}`,
      tokenAccount: MINT,
    });
    const SIG = '2Ana1pUpv2ZbMVkwF5FXapYeBEjdxDatLn7nvJkhgTSXbs59SyZSx866bXirPgj8QQVB57uxHJBG1YFvkRbFj4T';
    const identity = (i: number): ChainUpdate => ({
      type: 'identity_registered',
      id: `${SIG}:${i}`,
      slot: 4,
      signature: SIG,
      wallet: WALLET,
      commitment: `0x${'01'.repeat(32)}`,
    });
    for (const u of [holding(4, 1), other(4, 2), identity(0), holding(4, 3), identity(1), holding(5, 4)])
      pub.push(u);
    pub.push(slotStatusUpdate(5, 'confirmed'));
    pub.markConfirmed(5);
    await until(() => f.sends.length === 1);
    const at = f.statements.findIndex((q) => q.includes('indexer_published'));
    const [slots, ids] = f.params[at] as [number[], string[]];
    expect(ids.map((id, i) => `${slots[i]} ${id}`).sort()).toEqual(
      [`4 ${SIG}:0`, `4 ${SIG}:1`, '4 acct3:4', '4 other2:4', '5 acct4:5'].sort(),
    );
    const messages = f.sends[0]!.record.messages;
    expect(messages).toHaveLength(7); // every record is published; only the journal is per account
    expect(messages.map((m) => (m.key as Buffer).toString('utf8'))).toEqual([
      ...Array<string>(6).fill(WALLET),
      'slots',
    ]);
    f.sends[0]!.release();
    await pub.flush();
  });

  it('splits a large buffer into batches of maxBatch and holds the stream reader past maxBuffer', async () => {
    const f = fakes();
    const pub = new ChainPublisher(f.pool, f.producer, 't', undefined, { maxBatch: 3, maxBuffer: 5 });
    for (let i = 1; i <= 9; i++) pub.push(holding(3, i));
    let admitted = false;
    const admit = pub.admit().then(() => (admitted = true));
    await until(() => f.sends.length === 1);
    expect(f.sends[0]!.record.messages).toHaveLength(3);
    expect(admitted).toBe(false); // 6 still waiting (>= maxBuffer): hold until the batch in flight ends
    f.sends[0]!.release();
    await admit;
    await until(() => f.sends.length === 2);
    expect(f.sends[1]!.record.messages).toHaveLength(3);
    f.sends[1]!.release();
    await until(() => f.sends.length === 3);
    f.sends[2]!.release();
    await pub.flush();
    expect(pub.published).toBe(9);
  });
});
