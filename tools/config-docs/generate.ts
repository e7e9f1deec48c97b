// Writes docs/configuration.md: every setting of every app, from the apps' own zod schemas (the
// ones they validate at boot with), so the table cannot drift from the code (a unit spec compares).
//   node -r @swc-node/register tools/config-docs/generate.ts [--check]
import * as fs from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { gatewayConfigSchema } from '../../apps/gateway/src/gateway.config';
import { indexerConfigSchema } from '../../apps/indexer/src/indexer.config';
import { proverConfigSchema } from '../../apps/prover/src/prover.config';
import { registryConfigSchema } from '../../apps/registry/src/registry.config';

export const CONFIG_DOC = path.resolve(__dirname, '..', '..', 'docs', 'configuration.md');

type Shape = Record<string, z.ZodType>;
const APPS: [string, { shape: Shape }][] = [
  ['indexer', indexerConfigSchema as unknown as { shape: Shape }],
  ['registry', registryConfigSchema as unknown as { shape: Shape }],
  ['prover', proverConfigSchema as unknown as { shape: Shape }],
  ['gateway', gatewayConfigSchema as unknown as { shape: Shape }],
];

interface Def {
  type?: string;
  defaultValue?: unknown;
  innerType?: z.ZodType;
  in?: z.ZodType;
  schema?: z.ZodType;
}
const def = (t: z.ZodType): Def => (t as unknown as { _zod: { def: Def } })._zod.def;

/** The default (as the environment string would spell it) and whether the setting is optional. */
function describeDefault(t: z.ZodType): { dflt: string; optional: boolean } {
  for (let cur: z.ZodType | undefined = t, i = 0; cur && i < 10; i++) {
    const d = def(cur);
    if (d.type === 'default') {
      const v = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
      return { dflt: v === '' ? '(empty)' : String(v), optional: true };
    }
    if (d.type === 'optional') return { dflt: '(unset)', optional: true };
    cur = d.innerType ?? d.in ?? d.schema;
  }
  return { dflt: '**required**', optional: false };
}

function description(t: z.ZodType): string {
  for (let cur: z.ZodType | undefined = t, i = 0; cur && i < 10; i++) {
    const text = (cur as { description?: string }).description;
    if (text) return text;
    const d = def(cur);
    cur = d.innerType ?? d.in ?? d.schema;
  }
  return '';
}

export function renderConfigDoc(): string {
  const rows = new Map<string, { apps: string[]; dflt: Set<string>; desc: string }>();
  for (const [app, schema] of APPS) {
    for (const [name, t] of Object.entries(schema.shape)) {
      const { dflt } = describeDefault(t);
      const row = rows.get(name) ?? { apps: [], dflt: new Set<string>(), desc: description(t) };
      row.apps.push(app);
      row.dflt.add(dflt);
      if (!row.desc) row.desc = description(t);
      rows.set(name, row);
    }
  }
  const lines = [
    '# Configuration',
    '',
    'Every setting of every app, generated from the schemas the apps validate their environment with',
    '(`apps/<app>/src/<app>.config.ts`; `npm run docs:config` regenerates this file, a unit spec checks it).',
    'Settings come from the environment or a git-ignored `.env` file; the environment wins. A missing or',
    'malformed value stops the app at boot with one line naming the variable and what was expected.',
    '',
    '| variable | apps | default | expected |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, r] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const dflt = [...r.dflt]
      .map((d) => (d.startsWith('**') || d.startsWith('(') ? d : `\`${d}\``))
      .join(' / ');
    lines.push(`| \`${name}\` | ${r.apps.join(', ')} | ${dflt} | ${r.desc.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  const text = renderConfigDoc();
  if (process.argv.includes('--check')) {
    if ((fs.existsSync(CONFIG_DOC) ? fs.readFileSync(CONFIG_DOC, 'utf8') : '') !== text) {
      console.error('docs/configuration.md is out of date: npm run docs:config');
      process.exit(1);
    }
    console.log('docs/configuration.md is up to date');
  } else {
    fs.writeFileSync(CONFIG_DOC, text);
    console.log(`wrote ${path.relative(process.cwd(), CONFIG_DOC)}`);
  }
}
