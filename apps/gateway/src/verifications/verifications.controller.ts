import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { MetricsService } from '@rv/observability';
import { apiKeyOf, PartnerGuard, RequireScope, type PartnerRequest } from '../auth/partner.guard';
import { ApiError } from '../http/api-error';
import { parseIdempotencyKey, parseVerificationInput } from './verification-input';
import { VerifyOwnership } from './verify-ownership';
import { TimeoutInterceptor } from '../http/timeout.interceptor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('verifications')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/verifications')
@UseGuards(PartnerGuard)
@UseInterceptors(TimeoutInterceptor)
@RequireScope('verify')
@ApiResponse({ status: 401, description: 'missing, wrong or revoked API key' })
@ApiResponse({ status: 403, description: 'the key lacks the verify scope' })
@ApiResponse({ status: 429, description: 'rate limited (Retry-After)' })
export class VerificationsController {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly verify: VerifyOwnership,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter(
      'rv_gateway_verifications_total',
      'POST /v1/verifications by outcome (submitted, replayed, or the error code)',
      ['outcome'],
    );
  }

  @Post()
  @ApiOperation({
    summary: 'Verify an ownership proof and record its nullifier on chain (record_verification)',
    description:
      'Checks the proof against the circuit verification key, that the root is accepted on chain and recent for the track, ' +
      'and that the nullifier is unused (database, then chain); then submits record_verification. ' +
      'A retry with the same Idempotency-Key and body answers the same result and never records twice.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1..255 of A-Z a-z 0-9 . _ : ~ -; one per logical verification',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['proof', 'publicInputs'],
      properties: {
        proof: { type: 'string', description: '0x-hex proof from POST /v1/proofs' },
        publicInputs: {
          type: 'object',
          required: ['root', 'trackId', 'scope', 'nullifier'],
          properties: {
            root: { type: 'string' },
            trackId: { type: 'string' },
            scope: { type: 'string' },
            nullifier: { type: 'string' },
          },
        },
      },
    },
  })
  @ApiResponse({
    status: 202,
    description: '{ id, status: "pending", signature, ... } — submitted; poll GET /v1/verifications/{id}',
  })
  @ApiResponse({
    status: 200,
    description:
      'a replay of an earlier request with this Idempotency-Key (header Idempotent-Replayed: true)',
  })
  @ApiResponse({ status: 400, description: 'malformed body, hex, field element >= r or Idempotency-Key' })
  @ApiResponse({
    status: 409,
    description: 'nullifier_used, or the same Idempotency-Key is still in progress',
  })
  @ApiResponse({
    status: 422,
    description: 'invalid_proof, root_not_accepted, or idempotency_key_reused with another body',
  })
  @ApiResponse({
    status: 503,
    description: 'chain or verifier unreachable; retry with the same Idempotency-Key',
  })
  async create(
    @Req() req: PartnerRequest,
    @Headers('idempotency-key') idem: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const key = parseIdempotencyKey(idem);
    const input = parseVerificationInput(body);
    let result;
    try {
      result = await this.verify.execute(apiKeyOf(req).id, key, input);
    } catch (e) {
      this.outcomes.inc({ outcome: e instanceof ApiError ? e.code : 'internal' });
      throw e;
    }
    const { replayed, view } = result;
    this.outcomes.inc({ outcome: replayed ? 'replayed' : 'submitted' });
    void res.status(replayed ? 200 : 202);
    if (replayed) void res.header('Idempotent-Replayed', 'true');
    return view;
  }

  @Get(':id')
  @ApiOperation({ summary: 'A verification: pending, confirmed (with slot) or failed (with error)' })
  @ApiResponse({
    status: 200,
    description: '{ id, status, signature, slot, trackId, scope, nullifier, root, createdAt, error? }',
  })
  @ApiResponse({ status: 404, description: "unknown id (or another key's)" })
  get(@Req() req: PartnerRequest, @Param('id') id: string) {
    if (!UUID.test(id)) throw new ApiError(404, 'not_found', 'no such verification for this API key');
    return this.verify.status(apiKeyOf(req).id, id);
  }
}
