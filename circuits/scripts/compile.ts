// Compiles a Noir circuit with @noir-lang/noir_wasm (no nargo on these machines) and writes the
// artifact that the repo commits: circuits/<name>/<name>.json.
//
//   node -r @swc-node/register circuits/scripts/compile.ts [name]     (default: ownership)
//
// The committed artifact keeps only what is deterministic and needed at run time (Noir version,
// ABI, bytecode, hash); file maps and debug symbols carry machine paths and are left out.
import { writeFileSync } from 'fs';
import { join, resolve } from 'path';

export interface CircuitArtifact {
  noir_version: string;
  hash: string;
  abi: unknown;
  bytecode: string;
}

export const CIRCUITS_DIR = resolve(__dirname, '..');

export function artifactPath(name: string): string {
  return join(CIRCUITS_DIR, name, `${name}.json`);
}

export async function compileCircuit(name: string): Promise<CircuitArtifact> {
  const { compile_program, createFileManager } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@noir-lang/noir_wasm') as typeof import('@noir-lang/noir_wasm');
  const fm = createFileManager(join(CIRCUITS_DIR, name));
  const quiet = (): void => undefined;
  const result = await compile_program(fm, undefined, quiet, quiet);
  const program = result.program as unknown as CircuitArtifact;
  return {
    noir_version: program.noir_version,
    hash: String(program.hash),
    abi: program.abi,
    bytecode: program.bytecode,
  };
}

export function serializeArtifact(artifact: CircuitArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'ownership';
  const artifact = await compileCircuit(name);
  writeFileSync(artifactPath(name), serializeArtifact(artifact));
  console.log(`compiled ${name} with Noir ${artifact.noir_version} -> ${artifactPath(name)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
