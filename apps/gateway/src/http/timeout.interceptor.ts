import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { ConfigService } from '@rv/config';
import type { GatewayConfig } from '../gateway.config';
import { ApiError } from './api-error';

const TIMEOUT = 'rv:timeout-ms';
/** A route whose deadline is another setting (proofs: PROVER_TIMEOUT_MS), plus one second to answer. */
export const RouteTimeout = (setting: 'PROVER_TIMEOUT_MS') => SetMetadata(TIMEOUT, setting);

const timedOut = (ms: number) => new ApiError(504, 'timeout', `request took longer than ${ms} ms`);

/**
 * Answers 504 when a handler takes longer than its deadline (REQUEST_TIMEOUT_MS, or the route's
 * RouteTimeout). Applied per controller with @UseInterceptors; the read routes, which answer
 * most requests from memory, use `withDeadline` on their slow path instead (an interceptor costs
 * every request an rxjs pipeline).
 */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  private readonly settings: Pick<GatewayConfig, 'REQUEST_TIMEOUT_MS' | 'PROVER_TIMEOUT_MS'>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ConfigService) config: ConfigService<GatewayConfig>,
  ) {
    this.settings = {
      REQUEST_TIMEOUT_MS: config.get('REQUEST_TIMEOUT_MS'),
      PROVER_TIMEOUT_MS: config.get('PROVER_TIMEOUT_MS'),
    };
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const setting = this.reflector.get<'PROVER_TIMEOUT_MS' | undefined>(TIMEOUT, ctx.getHandler());
    const ms = setting ? this.settings[setting] + 1000 : this.settings.REQUEST_TIMEOUT_MS;
    return next.handle().pipe(
      timeout(ms),
      catchError((e: unknown) => throwError(() => (e instanceof TimeoutError ? timedOut(ms) : e))),
    );
  }
}

/** The promise's outcome, or a 504 ApiError once `ms` have passed (the TimeoutInterceptor's answer). */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
