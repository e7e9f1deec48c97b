export { RedisModule, REDIS } from './redis.module';
