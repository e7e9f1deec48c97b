import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { apiKeyOf, PartnerGuard, RequireScope, type PartnerRequest } from '../auth/partner.guard';
import { ApiError, badRequest } from '../http/api-error';
import { ProofJobs } from './proof-jobs';
import { RouteTimeout, TimeoutInterceptor } from '../http/timeout.interceptor';
import { PROVER_API } from '../tokens';
import type { ProverApi } from './prover.client';

@ApiTags('proofs')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/proofs')
@UseGuards(PartnerGuard)
@UseInterceptors(TimeoutInterceptor)
export class ProofsController {
  constructor(
    @Inject(PROVER_API) private readonly prover: ProverApi,
    private readonly jobs: ProofJobs,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScope('prove')
  @RouteTimeout('PROVER_TIMEOUT_MS')
  @ApiOperation({
    summary:
      'Prove ownership (UltraHonk keccakZK) synchronously; the secret is forwarded to the prover, never logged or stored',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['secret', 'token', 'trackId', 'scope', 'nullifier', 'root', 'leafIndex'],
      properties: {
        secret: { type: 'string', description: '0x-hex field element (the holder identity secret)' },
        token: { type: 'string', description: '0x-hex token field of the mint' },
        trackId: { type: 'string', description: '0x-hex field element' },
        scope: { type: 'string', description: '0x-hex field element chosen by the verifying partner' },
        nullifier: { type: 'string', description: '0x-hex H(secret, trackId, scope)' },
        root: { type: 'string', description: '0x-hex accepted root (GET /v1/tracks/{trackId}/root)' },
        leafIndex: { type: 'integer' },
        siblings: {
          type: 'array',
          items: { type: 'string' },
          description: 'optional; fetched from the registry at root when absent',
        },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: '{ proof, publicInputs: { root, trackId, scope, nullifier }, verificationKeyHash, timings }',
  })
  @ApiResponse({ status: 400, description: 'malformed input (hex, value >= r, path length, index range)' })
  @ApiResponse({ status: 422, description: 'a constraint fails (membership, nullifier, zero leaf)' })
  @ApiResponse({ status: 503, description: 'prover busy or down (Retry-After)' })
  @ApiResponse({ status: 504, description: 'the proof took longer than the deadline' })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: '"respond-async": answer 202 { id, status: "pending" } at once; poll GET /v1/proofs/{id}',
  })
  @ApiResponse({
    status: 202,
    description: 'async job accepted: { id, status: "pending" } (Location header)',
  })
  async prove(
    @Req() req: PartnerRequest,
    @Body() body: unknown,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('body must be a JSON object');
    if (prefer !== undefined && /(^|[\s,;])respond-async($|[\s,;])/i.test(prefer)) {
      const job = await this.jobs.start(apiKeyOf(req).id, body);
      void res.status(202).header('Location', `/v1/proofs/${job.id}`);
      return job;
    }
    return this.prover.prove(body);
  }

  @Get(':id')
  @RequireScope('prove')
  @ApiOperation({ summary: 'An async proof job: pending, done (with the proof) or failed (with the error)' })
  @ApiResponse({ status: 200, description: '{ id, status, result?, error? }' })
  @ApiResponse({ status: 404, description: "unknown or expired job, or another key's" })
  job(@Req() req: PartnerRequest, @Param('id') id: string) {
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw new ApiError(404, 'not_found', 'no such proof job for this API key (unknown or expired)');
    return this.jobs.get(apiKeyOf(req).id, id);
  }
}
