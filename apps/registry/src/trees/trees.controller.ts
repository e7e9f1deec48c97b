import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { parseLeaf, parseOptionalInt, parseSnapshotRef, parseTrackId } from './http-input';
import { SLOT_MAX, batchPathsAnswer, pathAnswer } from './path-routes';
import { ReadTree } from './read-tree';
import { RegistryErrorsFilter } from './registry-errors.filter';
import {
  pathBytes,
  presentRoot,
  presentSnapshot,
  presentTree,
  snapshotWithPathsJson,
} from './trees.presenter';

/** The reply (fastify; express alike): path answers set their type, then Nest sends the bytes. */
interface Reply {
  header(name: string, value: string): unknown;
}

/**
 * Path answers are JSON bytes built from cached, already serialized paths (sent as they are).
 * The type is set only on success: errors keep the exception filter's JSON type.
 */
function jsonBytes(res: Reply, body: Buffer): Buffer {
  res.header('Content-Type', 'application/json; charset=utf-8');
  return body;
}

/** Query parameters that name an older snapshot (the root a proof must name is an accepted one). */
function SnapshotQuery(): MethodDecorator {
  return (target, key, descriptor) => {
    ApiQuery({
      name: 'root',
      required: false,
      description:
        'serve at this root of the tree history (0x + 64 hex digits) instead of the current one; ' +
        'the answer names its root, seq and slot. 404 if never a root of the tree, 410 if pruned',
    })(target, key, descriptor);
    ApiQuery({
      name: 'seq',
      required: false,
      description: 'serve at this tree seq (instead of root=; not both). 404 if unknown, 410 if pruned',
    })(target, key, descriptor);
  };
}

@ApiTags('trees')
@Controller('v1/trees')
@UseFilters(RegistryErrorsFilter)
@ApiResponse({ status: 400, description: 'malformed track id, index, leaf or query' })
@ApiResponse({ status: 404, description: 'unknown tree or leaf' })
@ApiResponse({ status: 409, description: 'registry behind minSlot; body carries currentSlot' })
@ApiResponse({
  status: 410,
  description: 'root/seq older than the retained history (REGISTRY_ROOT_HISTORY newest roots per tree)',
})
export class TreesController {
  constructor(private readonly read: ReadTree) {}

  @Get()
  @ApiOperation({ summary: 'All trees (one per track) with depth, leaf count, current root, seq and slot' })
  async list() {
    return { trees: (await this.read.listTrees()).map(presentTree) };
  }

  @Get(':trackId')
  @ApiOperation({ summary: 'One tree: depth, leaf count, current root, seq, slot' })
  @ApiParam({ name: 'trackId', description: 'track id (u64, decimal)' })
  @ApiQuery({
    name: 'minSlot',
    required: false,
    description: '409 if the registry has not reached this slot',
  })
  async get(@Param('trackId') trackId: string, @Query('minSlot') minSlot?: string) {
    return presentTree(
      await this.read.tree(parseTrackId(trackId), parseOptionalInt(minSlot, 'minSlot', 0, SLOT_MAX)),
    );
  }

  @Get(':trackId/roots')
  @ApiOperation({ summary: 'Root history, newest first, with the chain-accepted flag' })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 100' })
  @ApiQuery({ name: 'minSlot', required: false })
  async roots(
    @Param('trackId') trackId: string,
    @Query('limit') limit?: string,
    @Query('minSlot') minSlot?: string,
  ) {
    const r = await this.read.roots(
      parseTrackId(trackId),
      parseOptionalInt(limit, 'limit', 1, 1000, 100) as number,
      parseOptionalInt(minSlot, 'minSlot', 0, SLOT_MAX),
    );
    return { ...presentSnapshot(r.tree), roots: r.roots.map(presentRoot) };
  }

  @Get(':trackId/paths/:leafIndex')
  @ApiOperation({
    summary: 'Merkle path of the leaf at an index, verified against the root it is served with',
  })
  @ApiQuery({ name: 'minSlot', required: false, description: '409 if the registry (current slot) is behind' })
  @SnapshotQuery()
  async pathByIndex(
    @Res({ passthrough: true }) res: Reply,
    @Param('trackId') trackId: string,
    @Param('leafIndex') leafIndex: string,
    @Query('minSlot') minSlot?: string,
    @Query('root') root?: string,
    @Query('seq') seq?: string,
  ): Promise<Buffer> {
    return jsonBytes(res, await pathAnswer(this.read, trackId, leafIndex, { minSlot, root, seq }));
  }

  @Get(':trackId/paths')
  @ApiOperation({ summary: 'Merkle path of the live leaf with this value (live at root=/seq= if given)' })
  @ApiQuery({ name: 'leaf', required: true, description: '0x + 64 hex digits' })
  @ApiQuery({ name: 'minSlot', required: false })
  @SnapshotQuery()
  async pathByLeaf(
    @Res({ passthrough: true }) res: Reply,
    @Param('trackId') trackId: string,
    @Query('leaf') leaf?: string,
    @Query('minSlot') minSlot?: string,
    @Query('root') root?: string,
    @Query('seq') seq?: string,
  ): Promise<Buffer> {
    const a = await this.read.pathByLeaf(
      parseTrackId(trackId),
      parseLeaf(leaf),
      parseOptionalInt(minSlot, 'minSlot', 0, SLOT_MAX),
      parseSnapshotRef(root, seq),
    );
    return jsonBytes(res, snapshotWithPathsJson(a.tree, 'path', a.paths.map(pathBytes)));
  }

  @Post(':trackId/paths')
  @HttpCode(200)
  @ApiOperation({ summary: 'Paths of up to 1000 leaf indices, all from one snapshot' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['indices'],
      properties: {
        indices: { type: 'array', items: { type: 'integer' }, maxItems: 1000 },
        root: { type: 'string', description: 'optional: serve at this root of the history (0x + 64 hex)' },
        seq: { type: 'integer', description: 'optional: serve at this tree seq (not with root)' },
      },
    },
  })
  @ApiOkResponse({
    description:
      '{ trackId, root, seq, slot, paths: [{ index, leaf, siblings }] } (root/seq/slot of the snapshot read)',
  })
  @ApiResponse({ status: 413, description: 'more than 1000 indices' })
  @ApiQuery({ name: 'minSlot', required: false })
  async paths(
    @Res({ passthrough: true }) res: Reply,
    @Param('trackId') trackId: string,
    @Body() body: unknown,
    @Query('minSlot') minSlot?: string,
  ): Promise<Buffer> {
    return jsonBytes(res, await batchPathsAnswer(this.read, trackId, body, minSlot));
  }

  @Get(':trackId/leaves')
  @ApiOperation({ summary: 'A page of leaves in index order (revoked = 0), to rebuild the tree client-side' })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'first index of the page (nextCursor of the previous page)',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..10000, default 1000' })
  @ApiQuery({ name: 'minSlot', required: false })
  @SnapshotQuery()
  async leaves(
    @Param('trackId') trackId: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
    @Query('minSlot') minSlot?: string,
    @Query('root') root?: string,
    @Query('seq') seq?: string,
  ) {
    const r = await this.read.leaves(
      parseTrackId(trackId),
      parseOptionalInt(cursor, 'cursor', 0, 2 ** 32, 0) as number,
      parseOptionalInt(limit, 'limit', 1, 10000, 1000) as number,
      parseOptionalInt(minSlot, 'minSlot', 0, SLOT_MAX),
      parseSnapshotRef(root, seq),
    );
    return {
      ...presentSnapshot(r.tree),
      depth: r.tree.depth,
      nextIndex: r.tree.nextIndex,
      leaves: r.leaves.map((l) => ({ index: l.index, leaf: '0x' + l.leaf.toString(16).padStart(64, '0') })),
      nextCursor: r.nextCursor === null ? null : String(r.nextCursor),
    };
  }
}
