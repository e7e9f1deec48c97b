import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './throwaway-postgres';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * A private single-node Kafka (KRaft) that a spec may stop and start (to test broker outages)
 * without touching the shared one. Uses the broker jars scripts/infra.sh assembled in
 * .local/kafka/libs (RV_LOCAL_DIR if set), a temporary data folder and free ports.
 */
export class ThrowawayKafka {
  private proc?: ChildProcess;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly libs: string,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(): Promise<ThrowawayKafka> {
    const libs = path.join(process.env.RV_LOCAL_DIR ?? path.join(ROOT, '.local'), 'kafka', 'libs');
    if (!fs.existsSync(libs)) throw new Error(`no Kafka jars in ${libs}: run bash scripts/infra.sh up first`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rv-kafka-'));
    const [port, controller] = [await freePort(), await freePort()];
    fs.writeFileSync(
      path.join(dir, 'server.properties'),
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controller}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `log.dirs=${path.join(dir, 'data')}`,
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=4',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
      ].join('\n'),
    );
    // INFO from the kafka loggers: readiness is the "Kafka Server started" line
    fs.writeFileSync(
      path.join(dir, 'log4j2.yaml'),
      [
        'Configuration:',
        '  Appenders:',
        '    Console: { name: STDOUT, PatternLayout: { Pattern: "[%d] %p %m (%c)%n" } }',
        '  Loggers:',
        '    Root: { level: WARN, AppenderRef: [ { ref: STDOUT } ] }',
        '    Logger:',
        '      - { name: kafka, level: INFO }',
      ].join('\n'),
    );
    const k = new ThrowawayKafka(dir, port, libs);
    await k.java(['kafka.tools.StorageTool', 'format', '-t', 'rvThrowawayCluster0001', '-c', k.config]);
    await k.start();
    return k;
  }

  private get config(): string {
    return path.join(this.dir, 'server.properties');
  }

  private java(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn('java', ['-Xmx256m', '-cp', `${this.libs}/*`, ...args], { stdio: 'ignore' });
      p.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`java ${args[0]} exited ${code}`)),
      );
    });
  }

  /** Starts the broker and resolves once it accepts clients. */
  start(): Promise<void> {
    const log = path.join(this.dir, 'kafka.log');
    fs.writeFileSync(log, '');
    const out = fs.openSync(log, 'a');
    this.proc = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx384m',
        '-XX:+UseG1GC',
        `-Dlog4j2.configurationFile=${path.join(this.dir, 'log4j2.yaml')}`,
        '-cp',
        `${this.libs}/*`,
        'kafka.Kafka',
        this.config,
      ],
      { stdio: ['ignore', out, out] },
    );
    const proc = this.proc;
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 90_000;
      const tick = setInterval(() => {
        if (fs.readFileSync(log, 'utf8').includes('Kafka Server started')) {
          clearInterval(tick);
          resolve();
        } else if (proc.exitCode !== null || Date.now() > deadline) {
          clearInterval(tick);
          reject(new Error(`throwaway Kafka did not start: ${fs.readFileSync(log, 'utf8').slice(-1500)}`));
        }
      }, 100);
    });
  }

  /** Stops the broker (SIGKILL: a crash, not a clean shutdown) and waits until it is gone. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
