// Integration specs run against the real services that `bash scripts/infra.sh up` starts (or the
// clusters named by DATABASE_URL / KAFKA_BROKERS / REDIS_URL). Fail early, with the fix, if they
// are not there, instead of 50 specs timing out one by one.
const net = require('net');
const { testEnv } = require('./test-env');

function reachable(host, port, ms = 3000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(ms, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

module.exports = async () => {
  const env = testEnv();
  const targets = [
    ['PostgreSQL', new URL(env.DATABASE_URL)],
    ['Redis', new URL(env.REDIS_URL)],
    ['Kafka', new URL(`kafka://${env.KAFKA_BROKERS.split(',')[0]}`)],
  ];
  for (const [name, url] of targets) {
    if (!(await reachable(url.hostname, url.port))) {
      throw new Error(`${name} is not reachable at ${url.hostname}:${url.port}. Start the services: bash scripts/infra.sh up`);
    }
  }
};
