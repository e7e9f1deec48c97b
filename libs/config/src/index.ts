export { ConfigError, parseConfig, loadDotEnv } from './parse-config';
export { ConfigService } from './config.service';
export { ConfigModule } from './config.module';
export * as env from './env-types';
export { SecretFileError, readSecretFile, writeSecretFile } from './secret-file';
