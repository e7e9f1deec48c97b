// Writes docs/asyncapi.json, the AsyncAPI 3.0 document of every rv.* topic, generated from the
// events lib's schemas so the two cannot drift (a unit spec compares the committed file).
//   node -r @swc-node/register tools/asyncapi/generate.ts [--check]
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { TOPICS } from './catalogue';

export const ASYNCAPI_FILE = path.resolve(__dirname, '..', '..', 'docs', 'asyncapi.json');

const id = (topic: string) => topic.replace(/[^a-zA-Z0-9]+/g, '_');

function valueSchema(schema: z.ZodType, version: number | null): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  delete json.$schema;
  if (version === null) return json;
  // Every value carries the schema version `v`, checked first by every consumer.
  const withVersion = (s: Record<string, unknown>): Record<string, unknown> => {
    if (Array.isArray(s.oneOf))
      return { ...s, oneOf: (s.oneOf as Record<string, unknown>[]).map(withVersion) };
    if (Array.isArray(s.anyOf))
      return { ...s, anyOf: (s.anyOf as Record<string, unknown>[]).map(withVersion) };
    return {
      ...s,
      properties: { v: { const: version, description: 'schema version' }, ...(s.properties as object) },
      required: ['v', ...((s.required as string[] | undefined) ?? [])],
    };
  };
  return withVersion(json);
}

export function buildAsyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const t of TOPICS) {
    const key = id(t.topic);
    messages[key] = {
      name: t.topic,
      title: t.title,
      contentType: 'application/json',
      summary: t.description,
      description: [
        `Key: ${t.key}`,
        `Ordering: ${t.ordering}`,
        `Delivery: ${t.delivery}`,
        `Retention: ${t.retention}`,
        t.version === null
          ? 'Encoding: UTF-8 JSON; field elements as 0x-hex.'
          : `Encoding: UTF-8 JSON with sorted keys and schema version v=${t.version}; u64 as decimal strings; 32-byte values as 0x + 64 lower-case hex; addresses base58.`,
        `A record that cannot be decoded goes to \`${t.topic}.dlq\` with the reason in the header rv-dlq-reason.`,
      ].join('\n\n'),
      bindings: { kafka: { key: { type: 'string', description: t.key }, bindingVersion: '0.5.0' } },
      payload: valueSchema(t.schema, t.version),
    };
    channels[key] = {
      address: t.topic,
      description: t.description,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
      'x-producers': t.producers,
      'x-consumers': t.consumers,
    };
    operations[`consume_${key}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      summary: `Consumed by ${t.consumers.join(', ')}`,
    };
    channels[`${key}_dlq`] = {
      address: `${t.topic}.dlq`,
      description: `Dead letters of ${t.topic}: the original key, value and headers, plus rv-dlq-reason, rv-dlq-code, rv-dlq-source-topic, rv-dlq-source-partition, rv-dlq-source-offset, rv-dlq-consumer-group, rv-dlq-failed-at.`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Rainbow Veil event topics',
      version: '1.0.0',
      description:
        'Kafka topics of the Rainbow Veil back end. Topic names carry their version (rv.<domain>.<event>.v1); a breaking change is a new topic version, never an edit in place.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'scripts/infra.sh' } },
    channels,
    operations,
    components: { messages },
  };
}

export const renderAsyncApi = (): string => `${JSON.stringify(buildAsyncApi(), null, 2)}\n`;

if (require.main === module) {
  const text = renderAsyncApi();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(ASYNCAPI_FILE) ? fs.readFileSync(ASYNCAPI_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(
        'docs/asyncapi.json is out of date: run node -r @swc-node/register tools/asyncapi/generate.ts',
      );
      process.exit(1);
    }
    console.log('docs/asyncapi.json is up to date');
  } else {
    fs.writeFileSync(ASYNCAPI_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), ASYNCAPI_FILE)}`);
  }
}
