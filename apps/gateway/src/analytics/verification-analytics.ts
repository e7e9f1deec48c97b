import { DataSource } from 'typeorm';
import { badRequest } from '../http/api-error';

export type Granularity = 'hour' | 'day' | 'month';
const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'month'];
const MAX_BUCKETS: Record<Granularity, number> = { hour: 24 * 93, day: 3_700, month: 120 };
const BUCKET_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000, month: 28 * 86_400_000 };
const I64_MAX = 2n ** 63n - 1n;

export interface AnalyticsRange {
  trackId: bigint;
  from: Date;
  to: Date;
}

function parseTime(v: string | undefined, name: string): Date {
  if (
    v === undefined ||
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v)
  ) {
    throw badRequest(
      `${name}: expected an ISO 8601 date or date-time such as 2026-11-01 or 2026-11-01T00:00:00Z`,
    );
  }
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name}: not a valid date`);
  return d;
}

export function parseRange(q: { trackId?: string; from?: string; to?: string }): AnalyticsRange {
  if (q.trackId === undefined || !/^\d{1,19}$/.test(q.trackId) || BigInt(q.trackId) > I64_MAX) {
    throw badRequest('trackId: expected a decimal track id');
  }
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  if (to <= from) throw badRequest('to must be after from');
  return { trackId: BigInt(q.trackId), from, to };
}

export function parseGranularity(v: string | undefined): Granularity {
  if (!GRANULARITIES.includes(v as Granularity)) throw badRequest('granularity: expected hour, day or month');
  return v as Granularity;
}

/**
 * Privacy-preserving counts over `verifications` (which holds no wallet): verifications per
 * track per hour/day/month, unique nullifiers per scope. Any bucket with fewer than k
 * verifications is suppressed (count null) so small counts cannot single out a listener; no
 * totals are given (they would reveal suppressed counts by difference). Both queries use
 * verifications_track_time_idx (track_id, timestamp).
 */
export class VerificationAnalytics {
  constructor(
    private readonly ds: DataSource,
    private readonly k: number,
  ) {}

  async perPeriod(range: AnalyticsRange, granularity: Granularity) {
    const buckets = Math.ceil((range.to.getTime() - range.from.getTime()) / BUCKET_MS[granularity]);
    if (buckets > MAX_BUCKETS[granularity])
      throw badRequest(`range too long: at most ${MAX_BUCKETS[granularity]} ${granularity} buckets`);
    const rows: { bucket: Date; n: string }[] = await this.ds.query(
      `SELECT date_trunc($4, timestamp) AT TIME ZONE 'UTC' AS bucket, count(*) AS n
         FROM verifications
        WHERE track_id = $1 AND timestamp >= ($2::timestamptz AT TIME ZONE 'UTC') AND timestamp < ($3::timestamptz AT TIME ZONE 'UTC')
        GROUP BY 1 ORDER BY 1`,
      [range.trackId.toString(), range.from.toISOString(), range.to.toISOString(), granularity],
    );
    return {
      trackId: range.trackId.toString(),
      granularity,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      k: this.k,
      buckets: rows.map((r) => {
        const n = Number(r.n);
        return {
          start: new Date(r.bucket).toISOString(),
          count: n >= this.k ? n : null,
          suppressed: n < this.k,
        };
      }),
    };
  }

  async uniqueNullifiersPerScope(range: AnalyticsRange) {
    const rows: { scope: Buffer; n: string }[] = await this.ds.query(
      `SELECT scope, count(DISTINCT nullifier) AS n
         FROM verifications
        WHERE track_id = $1 AND timestamp >= ($2::timestamptz AT TIME ZONE 'UTC') AND timestamp < ($3::timestamptz AT TIME ZONE 'UTC')
        GROUP BY scope ORDER BY scope`,
      [range.trackId.toString(), range.from.toISOString(), range.to.toISOString()],
    );
    const shown = rows.filter((r) => Number(r.n) >= this.k);
    return {
      trackId: range.trackId.toString(),
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      k: this.k,
      scopes: shown.map((r) => ({
        scope: '0x' + Buffer.from(r.scope).toString('hex').padStart(64, '0'),
        uniqueNullifiers: Number(r.n),
      })),
      /** Scopes with fewer than k unique nullifiers: neither their id nor their count is shown. */
      suppressedScopes: rows.length - shown.length,
    };
  }
}
