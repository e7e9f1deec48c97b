import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PartnerGuard, RequireScope } from '../auth/partner.guard';
import type { FastifyReply } from 'fastify';
import { parseIntParam, parseTrackId, ReadTracks, type JsonBody } from './read-tracks';

/** Sends cached JSON bytes as they are. */
async function json(res: FastifyReply, body: Promise<JsonBody>): Promise<Buffer> {
  const bytes = await body;
  void res.type('application/json; charset=utf-8');
  return bytes;
}

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
  constructor(private readonly reads: ReadTracks) {}

  @Get()
  @ApiOperation({ summary: 'All tracks: depth, leaf count, current root, seq, slot' })
  tracks(@Res({ passthrough: true }) res: FastifyReply) {
    return json(res, this.reads.tracks());
  }

  @Get(':trackId')
  @ApiOperation({ summary: "One track's tree: depth, leaf count, current root, seq, slot" })
  @ApiParam({ name: 'trackId', description: 'track id (u64, decimal)' })
  track(@Param('trackId') trackId: string, @Res({ passthrough: true }) res: FastifyReply) {
    return json(res, this.reads.head(parseTrackId(trackId)));
  }

  @Get(':trackId/root')
  @ApiOperation({ summary: 'The newest root accepted on chain for this track (prove against this one)' })
  acceptedRoot(@Param('trackId') trackId: string, @Res({ passthrough: true }) res: FastifyReply) {
    return json(res, this.reads.acceptedRoot(parseTrackId(trackId)));
  }

  @Get(':trackId/roots')
  @ApiOperation({ summary: 'Root history, newest first, with the chain-accepted flag' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  roots(
    @Param('trackId') trackId: string,
    @Res({ passthrough: true }) res: FastifyReply,
    @Query('limit') limit?: string,
  ) {
    return json(res, this.reads.roots(parseTrackId(trackId), parseIntParam(limit, 'limit', 1, 1000) ?? 100));
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
    return json(res, at === undefined ? this.reads.path(track, index) : this.reads.pathAt(track, index, at));
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
    return json(
      res,
      at === undefined ? this.reads.leaves(track, from, size) : this.reads.leavesAt(track, from, size, at),
    );
  }
}
