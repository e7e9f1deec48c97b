import { Module } from '@nestjs/common';
import { ProofsController } from './proofs.controller';
import { ProvingService } from './proving.service';

@Module({ controllers: [ProofsController], providers: [ProvingService], exports: [ProvingService] })
export class ProvingModule {}
