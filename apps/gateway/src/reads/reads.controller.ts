import { Controller, Get, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PartnerGuard, RequireScope } from '../auth/partner.guard';
import type { FastifyReply } from 'fastify';
import { ConfigService } from '@rv/config';
import type { GatewayConfig } from '../gateway.config';
import { withDeadline } from '../http/timeout.interceptor';
import { parseIntParam, parseTrackId, ReadTracks, type Answer, type JsonBody } from './read-tracks';

const JSON_TYPE = 'application/json; charset=utf-8';

@ApiTags('tracks')
@ApiSecurity('bearer')
@ApiSecurity('x-api-key')
@Controller('v1/tracks')
@UseGuards(PartnerGuard)
@RequireScope('read')
@ApiResponse({ status: 400, description: 'malformed track id, index or query' })
@ApiResponse({ status: 401, description: 'missing, wrong or revoked API key' })
@ApiResponse({ status: 403, description: 'the key lacks the read scope' })
@ApiResponse({ status: 404, description: 'unknown track or leaf' })
@ApiResponse({ status: 429, description: 'rate limited (Retry-After)' })
@ApiResponse({ status: 503, description: 'registry unavailable' })
export class ReadsController {
  private readonly deadlineMs: number;

  constructor(
    private readonly reads: ReadTracks,
    @Inject(ConfigService) config: ConfigService<GatewayConfig>,
  ) {
    this.deadlineMs = config.get('REQUEST_TIMEOUT_MS');
  }

  /**
   * Sends the JSON bytes as they are: at once when they are in memory, else once loaded, within
   * REQUEST_TIMEOUT_MS (504 after; the other controllers get that from TimeoutInterceptor).
   */
  private json(res: FastifyReply, answer: Answer): JsonBody | Promise<JsonBody> {
    if (!(answer instanceof Promise)) {
      void res.type(JSON_TYPE);
      return answer;
    }
    return withDeadline(answer, this.deadlineMs).then((body) => {
      void res.type(JSON_TYPE);
      return body;
    });
  }

  @Get()
  @ApiOperation({ summary: 'All tracks: depth, leaf count, current root, seq, slot' })
  tracks(@Res({ passthrough: true }) res: FastifyReply) {
    return this.json(res, this.reads.tracks());
  }

  @Get(':trackId')
  @ApiOperation({ summary: "One track's tree: depth, leaf count, current root, seq, slot" })
  @ApiParam({ name: 'trackId', description: 'track id (u64, decimal)' })
  track(@Param('trackId') trackId: string, @Res({ passthrough: true }) res: FastifyReply) {
    return this.json(res, this.reads.head(parseTrackId(trackId)));
  }

  @Get(':trackId/root')
  @ApiOperation({ summary: 'The newest root accepted on chain for this track (prove against this one)' })
  acceptedRoot(@Param('trackId') trackId: string, @Res({ passthrough: true }) res: FastifyReply) {
    return this.json(res, this.reads.acceptedRoot(parseTrackId(trackId)));
  }

  @Get(':trackId/roots')
  @ApiOperation({ summary: 'Root history, newest first, with the chain-accepted flag' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  roots(
    @Param('trackId') trackId: string,
    @Res({ passthrough: true }) res: FastifyReply,
    @Query('limit') limit?: string,
  ) {
    return this.json(
      res,
      this.reads.roots(parseTrackId(trackId), parseIntParam(limit, 'limit', 1, 1000) ?? 100),
    );
  }

  @Get(':trackId/paths/:leafIndex')
  @ApiOperation({ summary: 'Merkle path of the leaf at an index, with the root and seq it belongs to' })
  @ApiQuery({
    name: 'seq',
    required: false,
    description:
      "an older root of the track by its seq (e.g. the accepted root's seq); default the current root. 404 unknown, 410 no longer kept",
  })
  path(
    @Param('trackId') trackId: string,
    @Param('leafIndex') leafIndex: string,
    @Res({ passthrough: true }) res: FastifyReply,
    @Query('seq') seq?: string,
  ) {
    const index = parseIntParam(leafIndex, 'leafIndex', 0, 2 ** 32 - 1);
    if (index === undefined) throw new Error('unreachable');
    const at = parseIntParam(seq, 'seq', 1, Number.MAX_SAFE_INTEGER);
    const track = parseTrackId(trackId);
    return this.json(
      res,
      at === undefined ? this.reads.path(track, index) : this.reads.pathAt(track, index, at),
    );
  }

  @Get(':trackId/leaves')
  @ApiOperation({ summary: 'A page of leaves in index order (revoked = 0), to rebuild the tree client-side' })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'first index of the page (nextCursor of the previous page)',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..10000, default 1000' })
  @ApiQuery({
    name: 'seq',
    required: false,
    description: 'the leaves as of an older root (by its seq); default the current root',
  })
  leaves(
    @Param('trackId') trackId: string,
    @Res({ passthrough: true }) res: FastifyReply,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
    @Query('seq') seq?: string,
  ) {
    const track = parseTrackId(trackId);
    const from = parseIntParam(cursor, 'cursor', 0, 2 ** 32) ?? 0;
    const size = parseIntParam(limit, 'limit', 1, 10000) ?? 1000;
    const at = parseIntParam(seq, 'seq', 1, Number.MAX_SAFE_INTEGER);
    return this.json(
      res,
      at === undefined ? this.reads.leaves(track, from, size) : this.reads.leavesAt(track, from, size, at),
    );
  }
}
