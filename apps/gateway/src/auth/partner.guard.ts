import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigService } from '@rv/config';
import { MetricsService } from '@rv/observability';
import type { Counter } from 'prom-client';
import type { GatewayConfig } from '../gateway.config';
import { ApiError } from '../http/api-error';
import { RateLimiter, rateLimitHeaders, type Limit } from '../limits/rate-limiter';
import { presentedKey, type Scope } from './api-key';
import { ApiKeyAuth } from './api-key-auth';
import type { ApiKeyRecord } from './api-keys.repository';

const SCOPE = 'rv:scope';
/** The scope a route needs. Every partner route has one. */
export const RequireScope = (scope: Scope | 'any') => SetMetadata(SCOPE, scope);

export type PartnerRequest = FastifyRequest & { apiKey?: ApiKeyRecord };

/**
 * The client address the per-IP limit counts: the socket's peer, or with TRUST_PROXY the
 * left-most X-Forwarded-For entry (the client as the first trusted proxy saw it; express's
 * `trust proxy = true`).
 */
export function clientIp(req: FastifyRequest, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.raw.socket.remoteAddress ?? 'unknown';
}

/** The authenticated key of a request that passed PartnerGuard. */
export function apiKeyOf(req: PartnerRequest): ApiKeyRecord {
  if (!req.apiKey) throw new ApiError(401, 'unauthorized', 'missing API key');
  return req.apiKey;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Per-IP limit, then authentication, scope and the key's plan quota. One Redis round trip per
 * request: the IP counter and the key's counters are hit together. Requests with a missing or
 * wrong key still count against their IP (so keys cannot be guessed at speed).
 */
@Injectable()
export class PartnerGuard implements CanActivate {
  private readonly prefix: string;
  private readonly limited: Counter<'limit'>;
  private readonly denied: Counter<'reason'>;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: ApiKeyAuth,
    private readonly limiter: RateLimiter,
    @Inject(ConfigService) private readonly config: ConfigService<GatewayConfig>,
    metrics: MetricsService,
  ) {
    this.prefix = config.get('REDIS_PREFIX');
    this.limited = metrics.counter(
      'rv_gateway_rate_limited_total',
      'Requests refused with 429, by limit (ip, key_minute, key_day)',
      ['limit'],
    );
    this.denied = metrics.counter(
      'rv_gateway_auth_denied_total',
      'Requests refused with 401/403, by reason',
      ['reason'],
    );
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PartnerRequest>();
    const res = ctx.switchToHttp().getResponse<FastifyReply>();
    const scope = this.reflector.getAllAndOverride<Scope | 'any' | undefined>(SCOPE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!scope) throw new ApiError(500, 'internal', 'route without a scope');

    const presented = presentedKey(req.headers);
    const key = presented ? await this.auth.lookup(presented) : undefined;

    const limits: Limit[] = [
      {
        key: `${this.prefix}rl:ip:${clientIp(req, this.config.get('TRUST_PROXY'))}`,
        limit: this.config.get('RATE_LIMIT_IP_PER_MIN'),
        windowMs: MINUTE,
      },
    ];
    if (key) {
      const plan = this.config.get('API_PLANS')[key.plan];
      if (plan) {
        limits.push({ key: `${this.prefix}rl:key:${key.id}:m`, limit: plan.perMinute, windowMs: MINUTE });
        limits.push({ key: `${this.prefix}rl:key:${key.id}:d`, limit: plan.perDay, windowMs: DAY });
      }
    }
    let outcome;
    try {
      outcome = await this.limiter.hit(limits);
    } catch {
      throw new ApiError(503, 'unavailable', 'rate limiter unavailable; retry shortly', {
        'Retry-After': '1',
      });
    }
    const headers = rateLimitHeaders(outcome);
    void res.headers(headers);
    if (!outcome.allowed) {
      this.limited.inc({ limit: ['ip', 'key_minute', 'key_day'][outcome.blockedBy ?? 0] ?? 'ip' });
      throw new ApiError(429, 'rate_limited', 'too many requests; retry after the indicated time', headers);
    }
    if (presented === undefined) {
      this.denied.inc({ reason: 'missing_key' });
      throw new ApiError(
        401,
        'unauthorized',
        'missing API key: send Authorization: Bearer <key> or x-api-key: <key>',
      );
    }
    if (!key) {
      this.denied.inc({ reason: 'invalid_key' });
      throw new ApiError(401, 'unauthorized', 'invalid or revoked API key');
    }
    if (scope !== 'any' && !key.scopes.includes(scope)) {
      this.denied.inc({ reason: 'missing_scope' });
      throw new ApiError(403, 'forbidden', `this API key lacks the "${scope}" scope`);
    }
    if (!this.config.get('API_PLANS')[key.plan]) {
      this.denied.inc({ reason: 'unknown_plan' });
      throw new ApiError(403, 'forbidden', `this API key's plan "${key.plan}" no longer exists`);
    }
    req.apiKey = key;
    return true;
  }
}
