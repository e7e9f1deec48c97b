import { Controller, Get, HttpException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConfigService } from '@rv/config';
import { JOB_SECRET_SCHEME, jobPublicKeyOf } from '@rv/sealed';
import type { ProverConfig } from '../prover.config';
import { ProverJobKey } from './job-key';

@ApiTags('jobs')
@Controller('v1')
export class JobKeyController {
  constructor(
    private readonly jobKey: ProverJobKey,
    private readonly config: ConfigService<ProverConfig>,
  ) {}

  /** What a producer needs to seal a job's secret: pass this body to `sealJobSecret` (@rv/sealed). */
  @Get('job-key')
  @ApiOperation({ summary: "The prover's X25519 public job key (seal Kafka job secrets to it)" })
  @ApiResponse({ status: 200, description: '{ scheme, keyId, publicKey (base64, 32 bytes), topic }' })
  @ApiResponse({ status: 404, description: 'this prover has no job key (PROVER_JOB_KEY_FILE unset)' })
  jobKeyInfo(): unknown {
    const key = this.jobKey.key;
    if (!key)
      throw new HttpException({ error: 'no_job_key', message: 'this prover has no job key configured' }, 404);
    return { scheme: JOB_SECRET_SCHEME, ...jobPublicKeyOf(key), topic: this.config.get('PROVER_JOBS_TOPIC') };
  }
}
