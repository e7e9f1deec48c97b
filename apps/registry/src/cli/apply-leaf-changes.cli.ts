// Applies leaf changes from a JSON file (until the Kafka consumer exists):
//   node -r @swc-node/register apps/registry/src/cli/apply-leaf-changes.cli.ts changes.json
// File: {"batches": [{"trackId": "7", "seq": 1, "slot": 100, "depth": 20?,
//          "changes": [{"type": "append", "leaf": "0x…", "walletHash": "0x…"?, "tokenId": "0x…"?},
//                      {"type": "revoke", "index": 3} | {"type": "revoke", "leaf": "0x…"}]}]}
// Batches apply in file order, each in one transaction; already applied ones are skipped (seq).
import { readFileSync } from 'fs';
import { z } from 'zod';
import { fieldFromHex } from '@rv/crypto';
import { ApplyLeafChanges, type LeafChangeBatch, type LeafChangeInput } from '../trees/apply-leaf-changes';
import { cliPool } from './cli-pool';

const hexField = z.string().transform((s, ctx) => {
  try {
    return fieldFromHex(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
const hexBytes = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes')
  .transform((s) => Buffer.from(s.slice(2), 'hex'));
const change = z.union([
  z.object({
    type: z.literal('append'),
    leaf: hexField,
    walletHash: hexBytes.optional(),
    tokenId: hexBytes.optional(),
  }),
  z.object({ type: z.literal('revoke'), index: z.number().int().min(0) }),
  z.object({ type: z.literal('revoke'), leaf: hexField }),
]);
const file = z.object({
  batches: z.array(
    z.object({
      trackId: z.string().regex(/^\d{1,20}$/),
      seq: z.number().int().min(1),
      slot: z.number().int().min(0),
      depth: z.number().int().min(1).max(32).optional(),
      changes: z.array(change),
    }),
  ),
});

export function parseChangesFile(text: string): LeafChangeBatch[] {
  const parsed = file.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid changes file at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data.batches.map((b) => ({
    ...b,
    trackId: BigInt(b.trackId),
    changes: b.changes as LeafChangeInput[],
  }));
}

async function main(): Promise<number> {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: apply-leaf-changes.cli.ts <changes.json>');
    return 2;
  }
  const batches = parseChangesFile(readFileSync(path, 'utf8'));
  const { pool, defaultDepth } = cliPool();
  try {
    const writer = new ApplyLeafChanges(pool, defaultDepth);
    for (const b of batches) {
      const r = await writer.apply(b);
      const root = '0x' + r.tree.root.toString(16).padStart(64, '0');
      console.log(
        r.applied
          ? `track ${b.trackId} seq ${b.seq}: applied ${b.changes.length} changes, root ${root}, ${r.tree.leafCount} leaves`
          : `track ${b.trackId} seq ${b.seq}: already applied (tree at seq ${r.tree.seq}), skipped`,
      );
    }
    return 0;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
