import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from './config.service';

/** Provides the app's already-validated ConfigService (validation happens in main.ts, before Nest boots). */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(config: ConfigService<T>): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: ConfigService, useValue: config }],
      exports: [ConfigService],
    };
  }
}
