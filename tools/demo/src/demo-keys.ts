import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeSecretFile } from '@rv/config';
import type { Keypair } from '@solana/web3.js';
import { generateJobKeyPem } from '@rv/sealed';
import { scenarioKeys } from '../../localnet/src';

export interface DemoKeys {
  rootAuthorityFile: string;
  verifierFile: string;
  jobKeyFile: string;
  pepperFile: string;
}

const keypairJson = (kp: Keypair) => JSON.stringify(Array.from(kp.secretKey));

/**
 * The key files a local stack needs, in a git-ignored folder (mode 0600): the root authority and
 * the verifier are the scenario's (derived from its seed, because the scenario's `initialize`
 * names them on the local chain), the prover job key and the API key pepper are random and kept
 * across runs. Local development only: production keys come from the deployment's own files.
 */
export function ensureDemoKeys(dir: string, seed: string): DemoKeys {
  const keys: DemoKeys = {
    rootAuthorityFile: path.join(dir, 'root-authority.json'),
    verifierFile: path.join(dir, 'verifier.json'),
    jobKeyFile: path.join(dir, 'prover-job-key.pem'),
    pepperFile: path.join(dir, 'api-key-pepper'),
  };
  writeSecretFile(keys.rootAuthorityFile, keypairJson(scenarioKeys.authority(seed)), { force: true });
  writeSecretFile(keys.verifierFile, keypairJson(scenarioKeys.verifier(seed)), { force: true });
  if (!fs.existsSync(keys.jobKeyFile)) writeSecretFile(keys.jobKeyFile, generateJobKeyPem());
  if (!fs.existsSync(keys.pepperFile)) writeSecretFile(keys.pepperFile, randomBytes(32).toString('hex'));
  return keys;
}
