// Regenerates the shared test vectors:
//   node -r @swc-node/register circuits/test-vectors/generate.ts
import { writeFileSync } from 'fs';
import { join } from 'path';
import { nativeHasherStatus } from '@rv/crypto';
import { renderVectorFiles } from './vectors';

async function main(): Promise<void> {
  console.log(`poseidon2: ${nativeHasherStatus()}`);
  for (const [name, content] of Object.entries(await renderVectorFiles())) {
    writeFileSync(join(__dirname, name), content);
    console.log(`wrote circuits/test-vectors/${name}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
