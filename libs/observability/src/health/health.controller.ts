import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every real dependency answers (PostgreSQL, Kafka, Redis, ... as the app registered). */
  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.registry.readiness();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }
}
