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
type PipelineWithCommand = ReturnType<Redis['pipeline']> & {
  rvFixedWindow(numKeys: number, ...args: (string | number)[]): unknown;
};

interface Waiting {
  limits: readonly Limit[];
  resolve: (o: LimitOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Counts requests against their limits in Redis. The hits of all requests that arrive in one
 * turn of the event loop go to Redis together, as one pipeline (one write, one read); each is
 * still its own atomic script call, in arrival order, so the counts are exactly those of
 * separate calls, and shared by every gateway instance.
 */
export class RateLimiter {
  private readonly redis: WithCommand;
  private queue: Waiting[] = [];
  private scheduled = false;

  constructor(redis: Redis) {
    if (!('rvFixedWindow' in redis)) redis.defineCommand('rvFixedWindow', { lua: SCRIPT });
    this.redis = redis as WithCommand;
  }

  hit(limits: readonly Limit[]): Promise<LimitOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ limits, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const pipeline = this.redis.pipeline() as PipelineWithCommand;
    for (const { limits } of batch) pipeline.rvFixedWindow(limits.length, ...scriptArgs(limits));
    pipeline.exec().then(
      (results) => {
        batch.forEach((w, i) => {
          const [err, out] = results?.[i] ?? [new Error('no reply from Redis'), undefined];
          if (err) w.reject(err);
          else w.resolve(outcome(w.limits, out as number[]));
        });
      },
      (e: unknown) => batch.forEach((w) => w.reject(e)),
    );
  }
}

function scriptArgs(limits: readonly Limit[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const l of limits) args.push(l.key);
  for (const l of limits) args.push(l.limit, l.windowMs);
  return args;
}

/** The outcome of one script call: blocked by the first limit over, else the closest to running out. */
function outcome(limits: readonly Limit[], out: number[]): LimitOutcome {
  let best: LimitOutcome = { allowed: true, limit: Infinity, remaining: Infinity, resetMs: 0 };
  for (let i = 0; i < out.length / 2; i++) {
    const l = limits[i]!;
    const count = Number(out[2 * i]);
    const ttl = Number(out[2 * i + 1]);
    const remaining = Math.max(0, l.limit - count);
    if (count > l.limit) return { allowed: false, limit: l.limit, remaining: 0, resetMs: ttl, blockedBy: i };
    if (remaining < best.remaining) best = { allowed: true, limit: l.limit, remaining, resetMs: ttl };
  }
  return best;
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
