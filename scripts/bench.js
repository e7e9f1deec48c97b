#!/usr/bin/env node
// npm run bench -- <name> [args...]: runs bench/<name>.ts (TypeScript, @rv/* aliases resolved).
// Each benchmark prints its figures as ONE JSON object on its last line.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const [name, ...args] = process.argv.slice(2);
const benchDir = path.join(__dirname, '..', 'bench');
const available = fs.existsSync(benchDir)
  ? fs.readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3))
  : [];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>; available: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(benchDir, `${name}.ts`), ...args], {
  stdio: 'inherit',
  env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
});
process.exit(r.status ?? 1);
