export { ObservabilityModule, ObservabilityOptions, requestIdOf } from './observability.module';
export { HealthRegistry, HealthCheck } from './health/health.registry';
export { MetricsService } from './metrics/metrics.service';
export { bootstrapApp, BootOptions } from './bootstrap';
export { BODY_LIMIT, createHttpApp, type HttpPlatform } from './http-platform';
export { withTimeout } from './with-timeout';
export { runMain } from './run-main';
export { setupOpenApi } from './openapi';
