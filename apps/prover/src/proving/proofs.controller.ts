import { Body, Controller, Get, HttpCode, HttpException, Logger, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ConstraintError, ZkInputError, ownershipArtifact } from '@rv/zk';
import { ConfigService } from '@rv/config';
import type { ProverConfig } from '../prover.config';
import { PathUnavailableError, RegistryUnavailableError } from '../registry/registry-client';
import { DeadlineExceededError, ProverUnavailableError, QueueFullError } from './proof-pool';
import {
  BadRequestInput,
  parseProofBytes,
  parseProofRequest,
  parsePublicInputs,
  publicInputsJson,
} from './proof-request';
import { ProvingService } from './proving.service';

const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** HTTP interface: decode, call the proving service, encode. Bodies are never logged. */
@ApiTags('proofs')
@Controller('v1')
export class ProofsController {
  private readonly log = new Logger('ProofsController');

  constructor(
    private readonly proving: ProvingService,
    private readonly config: ConfigService<ProverConfig>,
  ) {}

  /**
   * Synchronous proof. Body: secret, token, trackId, scope, nullifier, root (0x-hex field
   * elements), leafIndex (integer), and siblings (depth elements) or none to fetch the path at
   * `root` from the registry. Optional deadlineMs (capped by PROVE_DEADLINE_MS).
   */
  @Post('proofs')
  @HttpCode(200)
  @ApiOperation({ summary: 'Prove ownership (UltraHonk keccakZK), synchronously within a deadline' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['secret', 'token', 'trackId', 'scope', 'nullifier', 'root', 'leafIndex'],
      properties: {
        secret: { type: 'string', description: '0x-hex field element; never logged or stored' },
        token: { type: 'string' },
        trackId: { type: 'string' },
        scope: { type: 'string' },
        nullifier: { type: 'string' },
        root: { type: 'string' },
        leafIndex: { type: 'integer' },
        siblings: {
          type: 'array',
          items: { type: 'string' },
          description: 'depth elements; omit to fetch the path at root from the registry',
        },
        deadlineMs: { type: 'integer' },
      },
    },
  })
  @ApiResponse({ status: 200, description: '{ proof, publicInputs, verificationKeyHash, timings }' })
  @ApiResponse({ status: 400, description: 'malformed input (hex, >= r, path length, index range)' })
  @ApiResponse({ status: 404, description: 'registry has no such track or leaf' })
  @ApiResponse({ status: 409, description: 'registry serves another root than the one named' })
  @ApiResponse({ status: 422, description: 'a constraint fails: reason membership | nullifier | zero_leaf' })
  @ApiResponse({ status: 503, description: 'queue full (Retry-After) or registry unavailable' })
  @ApiResponse({ status: 504, description: 'deadline passed' })
  async prove(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const max = this.config.get('PROVE_DEADLINE_MS');
    try {
      const req = parseProofRequest(body, this.proving.depth);
      const asked = (body as { deadlineMs?: unknown }).deadlineMs;
      if (asked !== undefined && (typeof asked !== 'number' || !Number.isInteger(asked) || asked <= 0)) {
        throw new BadRequestInput('deadlineMs: expected a positive integer');
      }
      const deadlineAt = Date.now() + Math.min(max, (asked as number | undefined) ?? max);
      const r = await this.proving.prove(req, deadlineAt, 'http');
      return {
        proof: hex(r.proof),
        publicInputs: publicInputsJson(r.publicInputs),
        verificationKeyHash: this.proving.verificationKey().hash,
        timings: { queuedMs: r.queuedMs, witnessMs: Math.round(r.witnessMs), proveMs: Math.round(r.proveMs) },
      };
    } catch (e) {
      throw this.toHttp(e, res);
    }
  }

  /** Body: { proof: 0x-hex, publicInputs: { root, trackId, scope, nullifier } }. 200 valid, 422 not. */
  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify an ownership proof against its public inputs' })
  @ApiResponse({ status: 200, description: '{ valid: true }' })
  @ApiResponse({ status: 422, description: 'the proof does not verify' })
  async verify(@Body() body: unknown): Promise<unknown> {
    let proof: Uint8Array;
    let publicInputs;
    try {
      const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      proof = parseProofBytes(b.proof);
      publicInputs = parsePublicInputs(b.publicInputs);
    } catch (e) {
      throw this.toHttp(e);
    }
    if (!(await this.proving.verify(proof, publicInputs))) {
      throw new HttpException(
        {
          error: 'invalid_proof',
          valid: false,
          message: 'the proof does not verify for these public inputs',
        },
        422,
      );
    }
    return { valid: true };
  }

  @Get('verification-key')
  @ApiOperation({ summary: 'The UltraHonk keccakZK verification key of the ownership circuit' })
  verificationKey(): unknown {
    const vk = this.proving.verificationKey();
    return {
      circuit: 'ownership',
      scheme: 'ultra_honk_keccak_zk',
      noirVersion: ownershipArtifact.noir_version,
      backend: '@aztec/bb.js 1.2.1',
      depth: this.proving.depth,
      publicInputs: ['root', 'track_id', 'scope', 'nullifier'],
      crs: vk.crs,
      verificationKey: hex(vk.key),
      sha256: vk.hash,
    };
  }

  private toHttp(e: unknown, res?: Response): HttpException {
    if (e instanceof BadRequestInput || e instanceof ZkInputError) {
      return new HttpException({ error: 'bad_request', message: e.message }, 400);
    }
    if (e instanceof ConstraintError) {
      return new HttpException({ error: 'constraint_failed', reason: e.reason, message: e.message }, 422);
    }
    if (e instanceof QueueFullError) {
      res?.setHeader('Retry-After', String(e.retryAfterSeconds));
      return new HttpException(
        { error: 'overloaded', message: 'the prover queue is full, retry later' },
        503,
      );
    }
    if (e instanceof DeadlineExceededError) {
      return new HttpException({ error: 'deadline_exceeded', message: e.message }, 504);
    }
    if (e instanceof PathUnavailableError) {
      return new HttpException({ error: 'path_unavailable', message: e.message }, e.status);
    }
    if (e instanceof RegistryUnavailableError) {
      res?.setHeader('Retry-After', '1');
      return new HttpException(
        { error: 'registry_unavailable', message: 'the registry is unavailable' },
        503,
      );
    }
    if (e instanceof ProverUnavailableError) {
      res?.setHeader('Retry-After', String(this.proving.retryAfterSeconds()));
      return new HttpException({ error: 'prover_unavailable', message: 'the prover is unavailable' }, 503);
    }
    // Only the error's own message: request bodies (secrets) are never part of it.
    this.log.error(
      `proof request failed: ${e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error'}`,
    );
    return new HttpException({ error: 'internal', message: 'internal error' }, 500);
  }
}
