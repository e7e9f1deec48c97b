import { Controller, Get, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PartnerGuard, RequireScope } from '../auth/partner.guard';
import { parseGranularity, parseRange, VerificationAnalytics } from './verification-analytics';
import { TimeoutInterceptor } from '../http/timeout.interceptor';

@ApiTags('analytics')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/analytics')
@UseGuards(PartnerGuard)
@UseInterceptors(TimeoutInterceptor)
@RequireScope('analytics')
@ApiQuery({ name: 'trackId', required: true, description: 'decimal track id' })
@ApiQuery({
  name: 'from',
  required: true,
  description: 'ISO 8601 start (inclusive), e.g. 2026-11-01 or 2026-11-01T00:00:00Z',
})
@ApiQuery({ name: 'to', required: true, description: 'ISO 8601 end (exclusive)' })
@ApiResponse({
  status: 400,
  description: 'malformed track id, dates, granularity, or a range with too many buckets',
})
@ApiResponse({ status: 401, description: 'missing, wrong or revoked API key' })
@ApiResponse({ status: 403, description: 'the key lacks the analytics scope' })
export class AnalyticsController {
  constructor(private readonly analytics: VerificationAnalytics) {}

  @Get('verifications')
  @ApiOperation({
    summary:
      'Verifications per hour, day or month; buckets under k are suppressed (count null). No wallet data.',
  })
  @ApiQuery({ name: 'granularity', required: true, enum: ['hour', 'day', 'month'] })
  @ApiResponse({
    status: 200,
    description: '{ trackId, granularity, from, to, k, buckets: [{ start, count|null, suppressed }] }',
  })
  perPeriod(
    @Query('trackId') trackId?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('granularity') g?: string,
  ) {
    return this.analytics.perPeriod(parseRange({ trackId, from, to }), parseGranularity(g));
  }

  @Get('scopes')
  @ApiOperation({ summary: 'Unique nullifiers per scope; scopes under k are left out and only counted' })
  @ApiResponse({
    status: 200,
    description: '{ trackId, from, to, k, scopes: [{ scope, uniqueNullifiers }], suppressedScopes }',
  })
  scopes(@Query('trackId') trackId?: string, @Query('from') from?: string, @Query('to') to?: string) {
    return this.analytics.uniqueNullifiersPerScope(parseRange({ trackId, from, to }));
  }
}
