import { Module } from '@nestjs/common';
import { ProvingModule } from '../proving/proving.module';
import { ProofJobsConsumer } from './proof-jobs.consumer';

@Module({ imports: [ProvingModule], providers: [ProofJobsConsumer] })
export class JobsModule {}
