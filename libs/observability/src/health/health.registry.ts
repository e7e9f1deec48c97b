import { Injectable } from '@nestjs/common';
import { withTimeout } from '../with-timeout';

/** A real dependency the app needs to serve: resolves when it answers, rejects otherwise. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
  /**
   * false: a dependency of one feature only (e.g. the chain for the root publisher). Its failure
   * is reported (`degraded`) but the app stays ready, so the features that do not need it keep
   * serving. Default true.
   */
  critical?: boolean;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  /** Some non-critical dependency fails: the app serves, one of its features waits. */
  degraded?: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Modules register their dependency checks here; /health/ready runs them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  register(check: HealthCheck): void {
    this.checks.set(check.name, check);
  }

  /** Once shutdown starts the app reports not-ready so load balancers stop sending traffic. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(timeoutMs = 2000): Promise<ReadinessReport> {
    const entries = [...this.checks.values()];
    const results = await Promise.all(
      entries.map(async (c) => {
        try {
          await withTimeout(c.check(), timeoutMs, `no answer within ${timeoutMs} ms`);
          return [c.name, 'ok'] as const;
        } catch (e) {
          return [c.name, `error: ${e instanceof Error ? e.message : String(e)}`] as const;
        }
      }),
    );
    const checks: Record<string, string> = Object.fromEntries(results);
    if (this.shuttingDown) checks.shutdown = 'error: shutting down';
    const failing = Object.entries(checks).filter(([, v]) => v !== 'ok');
    const fatal = failing.some(([name]) => this.checks.get(name)?.critical !== false);
    const report: ReadinessReport = { status: fatal ? 'unavailable' : 'ok', checks };
    if (!fatal && failing.length > 0) report.degraded = true;
    return report;
  }
}
