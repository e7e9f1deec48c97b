import { Controller, Get, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { apiKeyOf, PartnerGuard, RequireScope, type PartnerRequest } from './partner.guard';
import { TimeoutInterceptor } from '../http/timeout.interceptor';

@ApiTags('keys')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/me')
@UseGuards(PartnerGuard)
@UseInterceptors(TimeoutInterceptor)
export class MeController {
  @Get()
  @RequireScope('any')
  @ApiOperation({ summary: 'The calling API key: id, name, prefix, scopes and plan (never the key)' })
  @ApiResponse({ status: 401, description: 'missing, wrong or revoked key' })
  @ApiResponse({ status: 429, description: 'rate limited (Retry-After)' })
  me(@Req() req: PartnerRequest) {
    const k = apiKeyOf(req);
    return { id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, plan: k.plan };
  }
}
