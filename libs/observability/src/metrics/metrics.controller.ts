import { Controller, Get, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MetricsService } from './metrics.service';

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapter: HttpAdapterHost,
  ) {}

  @Get()
  async scrape(@Res() res: unknown): Promise<void> {
    const http = this.adapter.httpAdapter;
    const body = await this.metrics.registry.metrics();
    http.setHeader(res, 'Content-Type', this.metrics.registry.contentType);
    http.reply(res, body, 200);
  }
}
