import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { ApiError } from './api-error';

const TIMEOUT = 'rv:timeout-ms';
/** A longer deadline for one route (proofs). */
export const RouteTimeout = (ms: number) => SetMetadata(TIMEOUT, ms);

/** Answers 504 when a handler takes longer than its deadline. */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly defaultMs: number,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ms = this.reflector.get<number | undefined>(TIMEOUT, ctx.getHandler()) ?? this.defaultMs;
    return next.handle().pipe(
      timeout(ms),
      catchError((e: unknown) =>
        throwError(() => (e instanceof TimeoutError ? new ApiError(504, 'timeout', `request took longer than ${ms} ms`) : e)),
      ),
    );
  }
}
