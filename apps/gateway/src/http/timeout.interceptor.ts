import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { ApiError } from './api-error';

const TIMEOUT = 'rv:timeout-ms';
/** A route whose deadline is another setting (proofs: PROVER_TIMEOUT_MS), plus one second to answer. */
export const RouteTimeout = (setting: 'PROVER_TIMEOUT_MS') => SetMetadata(TIMEOUT, setting);

/** Answers 504 when a handler takes longer than its deadline. */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly settings: { REQUEST_TIMEOUT_MS: number; PROVER_TIMEOUT_MS: number },
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const setting = this.reflector.get<'PROVER_TIMEOUT_MS' | undefined>(TIMEOUT, ctx.getHandler());
    const ms = setting ? this.settings[setting] + 1000 : this.settings.REQUEST_TIMEOUT_MS;
    return next.handle().pipe(
      timeout(ms),
      catchError((e: unknown) =>
        throwError(() =>
          e instanceof TimeoutError ? new ApiError(504, 'timeout', `request took longer than ${ms} ms`) : e,
        ),
      ),
    );
  }
}
