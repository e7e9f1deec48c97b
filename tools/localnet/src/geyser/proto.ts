import * as path from 'path';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';

/** Folder holding geyser.proto and solana-storage.proto (committed next to the sources). */
export const PROTO_DIR = path.join(__dirname, '..', '..', 'proto');

const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [PROTO_DIR],
  keepCase: false,
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/** grpc-js service definitions (request decoding, unary response encoding). */
export function loadGeyserPackage(): protoLoader.PackageDefinition {
  return protoLoader.loadSync('geyser.proto', LOADER_OPTIONS);
}

let root: protobuf.Root | undefined;

/** protobufjs root used to encode streamed updates once and share the bytes across subscribers. */
export function geyserRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) => {
      if (target.startsWith('google/protobuf/')) return target; // bundled with protobufjs
      return path.join(PROTO_DIR, path.basename(target));
    };
    r.loadSync('geyser.proto', { keepCase: false });
    r.resolveAll();
    root = r;
  }
  return root;
}

export const CommitmentLevel = { PROCESSED: 0, CONFIRMED: 1, FINALIZED: 2 } as const;
export type Commitment = 0 | 1 | 2;

export const SlotStatus = {
  SLOT_PROCESSED: 0,
  SLOT_CONFIRMED: 1,
  SLOT_FINALIZED: 2,
  SLOT_FIRST_SHRED_RECEIVED: 3,
  SLOT_COMPLETED: 4,
  SLOT_CREATED_BANK: 5,
  SLOT_DEAD: 6,
} as const;
export type SlotStatusValue = (typeof SlotStatus)[keyof typeof SlotStatus];
