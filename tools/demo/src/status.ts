import { Client } from 'pg';

/** Sum of every sample of `name` in a Prometheus text exposition (0 when absent). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

export interface StatusSources {
  rpcUrl: string;
  indexerUrl: string;
  registryUrl: string;
  proverUrl: string;
  databaseUrl: string;
  schema: string;
}

export interface StatusSample {
  at: number;
  chainSlot: number;
  indexedSlot: number;
  lag: number;
  records: number;
  recordsPerS: number;
  leaves: number;
  trees: number;
  acceptedRoots: number;
  proofs: number;
  verifications: number;
}

async function text(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return r.text();
}

async function chainSlot(rpcUrl: string): Promise<number> {
  const r = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot', params: [{ commitment: 'confirmed' }] }),
    signal: AbortSignal.timeout(2000),
  });
  return Number(((await r.json()) as { result: number }).result);
}

/** Samples the whole system's progress from its public surfaces (metrics, registry API, chain RPC, projections). */
export class StatusSampler {
  private last?: StatusSample;
  private db?: Client;

  constructor(private readonly s: StatusSources) {}

  async sample(): Promise<StatusSample> {
    if (!this.db) {
      this.db = new Client({
        connectionString: this.s.databaseUrl,
        options: `-c search_path=${this.s.schema}`,
      });
      await this.db.connect();
    }
    const [slot, indexer, prover, trees, counts] = await Promise.all([
      chainSlot(this.s.rpcUrl),
      text(`${this.s.indexerUrl}/metrics`),
      text(`${this.s.proverUrl}/metrics`),
      fetch(`${this.s.registryUrl}/v1/trees`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.json() as Promise<{ trees: { leafCount: number }[] }>,
      ),
      this.db.query<{ verifications: string; accepted: string }>(
        `SELECT (SELECT count(*) FROM verifications) AS verifications,
                (SELECT count(*) FROM merkle_roots WHERE accepted) AS accepted`,
      ),
    ]);
    const indexedSlot = metricSum(indexer, 'rv_indexer_ingest_checkpoint_slot');
    const records = metricSum(indexer, 'rv_indexer_projected_records_total');
    const now = Date.now();
    const sample: StatusSample = {
      at: now,
      chainSlot: slot,
      indexedSlot,
      lag: Math.max(0, slot - indexedSlot),
      records,
      recordsPerS: this.last ? Math.max(0, (records - this.last.records) / ((now - this.last.at) / 1000)) : 0,
      leaves: trees.trees.reduce((a, t) => a + t.leafCount, 0),
      trees: trees.trees.length,
      acceptedRoots: Number(counts.rows[0]?.accepted ?? 0),
      proofs: metricSum(prover, 'rv_prover_proofs_total'),
      verifications: Number(counts.rows[0]?.verifications ?? 0),
    };
    this.last = sample;
    return sample;
  }

  async close(): Promise<void> {
    await this.db?.end().catch(() => undefined);
  }
}

export function formatStatus(s: StatusSample): string {
  return (
    `slot ${s.chainSlot} | indexed ${s.indexedSlot} (lag ${s.lag}) | ${s.recordsPerS.toFixed(0)} rec/s | ` +
    `${s.trees} trees, ${s.leaves} leaves | ${s.acceptedRoots} accepted roots | ${s.proofs} proofs | ${s.verifications} verifications`
  );
}
