// Creates the prover's X25519 job key (PKCS#8 PEM, mode 0600) for PROVER_JOB_KEY_FILE:
//   node -r @swc-node/register apps/prover/src/job-key/create-job-key.ts [--out keys/prover-job-key.pem] [--force]
// Prints ONLY the key id and the public key. keys/ is git-ignored; never commit or log the file.
import { jobPublicKeyOf } from '@rv/sealed';
import { createJobKeyFile } from './job-key-file';

const USAGE = 'usage: create-job-key.ts [--out <path>] [--force]';
export const DEFAULT_JOB_KEY_FILE = 'keys/prover-job-key.pem';

export function parseArgs(argv: readonly string[]): { out: string; force: boolean } {
  let out = DEFAULT_JOB_KEY_FILE;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new Error(`--out needs a path\n${USAGE}`);
      out = v;
    } else if (a === '--force') {
      force = true;
    } else {
      throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  return { out, force };
}

if (require.main === module) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const key = jobPublicKeyOf(createJobKeyFile(args.out, { force: args.force }));
    console.log(JSON.stringify({ out: args.out, ...key }));
  } catch (e) {
    console.error(`create-job-key: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
