import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PartnerGuard, RequireScope } from '../auth/partner.guard';
import { badRequest } from '../http/api-error';
import { RouteTimeout } from '../http/timeout.interceptor';
import { PROVER_API } from '../tokens';
import type { ProverApi } from './prover.client';

@ApiTags('proofs')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/proofs')
@UseGuards(PartnerGuard)
export class ProofsController {
  constructor(@Inject(PROVER_API) private readonly prover: ProverApi) {}

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
  prove(@Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('body must be a JSON object');
    return this.prover.prove(body);
  }
}
