import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@rv/config';
import type { JobPrivateKey } from '@rv/sealed';
import { loadJobKeyFile } from '../job-key/job-key-file';
import type { ProverConfig } from '../prover.config';

/** The prover's X25519 job key from PROVER_JOB_KEY_FILE, loaded once at start (never logged). */
@Injectable()
export class ProverJobKey {
  readonly key?: JobPrivateKey;

  constructor(config: ConfigService<ProverConfig>) {
    const path = config.get('PROVER_JOB_KEY_FILE');
    if (path === undefined) return;
    this.key = loadJobKeyFile(path);
    new Logger('ProverJobKey').log(`job key ${this.key.keyId} loaded from ${path}`);
  }
}
