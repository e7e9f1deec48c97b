import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HealthRegistry } from './health.registry';

@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly adapter: HttpAdapterHost,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every real dependency answers (PostgreSQL, Kafka, Redis, ... as the app registered). */
  @Get('ready')
  async ready(@Res() res: unknown): Promise<void> {
    const report = await this.registry.readiness();
    // Through the adapter: the same on express and fastify.
    this.adapter.httpAdapter.reply(res, report, report.status === 'ok' ? 200 : 503);
  }
}
