import { Module } from '@nestjs/common';
import { ProvingModule } from '../proving/proving.module';
import { JobKeyController } from './job-key.controller';
import { ProverJobKey } from './job-key';
import { ProofJobsConsumer } from './proof-jobs.consumer';

@Module({
  imports: [ProvingModule],
  controllers: [JobKeyController],
  providers: [ProverJobKey, ProofJobsConsumer],
})
export class JobsModule {}
