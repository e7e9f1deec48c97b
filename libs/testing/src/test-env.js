// Connection settings for tests: the environment, else the defaults of scripts/infra.sh.
function testEnv() {
  return {
    DATABASE_URL: process.env.DATABASE_URL || 'postgres://rv:rv@127.0.0.1:54329/rv',
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:63790',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS || '127.0.0.1:9092',
  };
}
module.exports = { testEnv };
