// Creates a local Solana keypair for development (root authority, verifier, deployer, ...).
//   node -r @swc-node/register tools/keys/create-keypair.ts --out keys/root-authority.json [--force]
// Writes a solana-keygen compatible JSON file with mode 0600 and prints ONLY the public key.
// keys/ is git-ignored; never commit or log a keypair file.
import { Keypair } from '@solana/web3.js';
import { writeKeypairFile } from './keypair-file';

const USAGE = 'usage: create-keypair.ts --out <path> [--force]';

export interface CreateArgs {
  out: string;
  force: boolean;
}

export function parseArgs(argv: readonly string[]): CreateArgs {
  let out: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      out = argv[++i];
      if (!out || out.startsWith('--')) throw new Error(`--out needs a path\n${USAGE}`);
    } else if (a === '--force') {
      force = true;
    } else {
      throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  return { out, force };
}

/** Creates the file and returns the public key (base58). */
export function createKeypair(args: CreateArgs): string {
  const kp = Keypair.generate();
  writeKeypairFile(args.out, kp, { force: args.force });
  return kp.publicKey.toBase58();
}

if (require.main === module) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const publicKey = createKeypair(args);
    console.log(JSON.stringify({ out: args.out, publicKey }));
  } catch (e) {
    console.error(`create-keypair: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
