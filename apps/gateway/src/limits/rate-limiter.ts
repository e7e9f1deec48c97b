import type Redis from 'ioredis';

/** One counter: at most `limit` requests per `windowMs`, counted under `key`. */
export interface Limit {
  key: string;
  limit: number;
  windowMs: number;
}

export interface LimitOutcome {
  allowed: boolean;
  /** The limit that is closest to running out (or the one that blocked). */
  limit: number;
  remaining: number;
  /** Milliseconds until that limit's window resets. */
  resetMs: number;
  /** Index (in the list given to `hit`) of the limit that blocked. */
  blockedBy?: number;
}

/**
 * Fixed windows in Redis, atomic in one Lua call: each counter is INCRemented and gets its TTL
 * when created, so every gateway instance shares the same window (no clock involved). Counters
 * are checked in order; the first one over its limit blocks and the later ones are not counted.
 * Returns count/ttl pairs for the counters it touched.
 */
const SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
  if count > limit then break end
end
return out
`;

type WithCommand = Redis & {
  rvFixedWindow(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

export class RateLimiter {
  private readonly redis: WithCommand;

  constructor(redis: Redis) {
    if (!('rvFixedWindow' in redis)) redis.defineCommand('rvFixedWindow', { lua: SCRIPT });
    this.redis = redis as WithCommand;
  }

  async hit(limits: readonly Limit[]): Promise<LimitOutcome> {
    const args: (string | number)[] = [];
    for (const l of limits) args.push(l.key);
    for (const l of limits) args.push(l.limit, l.windowMs);
    const out = await this.redis.rvFixedWindow(limits.length, ...args);
    let best: LimitOutcome = { allowed: true, limit: Infinity, remaining: Infinity, resetMs: 0 };
    for (let i = 0; i < out.length / 2; i++) {
      const l = limits[i]!;
      const count = Number(out[2 * i]);
      const ttl = Number(out[2 * i + 1]);
      const remaining = Math.max(0, l.limit - count);
      if (count > l.limit)
        return { allowed: false, limit: l.limit, remaining: 0, resetMs: ttl, blockedBy: i };
      if (remaining < best.remaining) best = { allowed: true, limit: l.limit, remaining, resetMs: ttl };
    }
    return best;
  }
}

/** RateLimit-* (IETF draft) and, when blocked, Retry-After. */
export function rateLimitHeaders(o: LimitOutcome): Record<string, string> {
  if (!Number.isFinite(o.limit)) return {};
  const reset = String(Math.max(1, Math.ceil(o.resetMs / 1000)));
  const h: Record<string, string> = {
    'RateLimit-Limit': String(o.limit),
    'RateLimit-Remaining': String(o.remaining),
    'RateLimit-Reset': reset,
  };
  if (!o.allowed) h['Retry-After'] = reset;
  return h;
}
