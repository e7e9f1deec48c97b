#!/usr/bin/env node
// Checks that the committed, hand-written IDL (rainbow_veil/idl/rainbow_veil.json) is the IDL the
// program itself generates. Reads the output of Anchor's IDL-build tests (what `anchor idl build`
// runs), assembles it the way the Anchor CLI does, and compares everything but `docs`.
//   usage: node check-idl.js <captured test output>   (check-idl.sh does the capture)
'use strict';
const fs = require('fs');
const path = require('path');

const [, , outFile, writeTo] = process.argv;
const text = fs.readFileSync(outFile, 'utf8');
const sections = [...text.matchAll(/--- IDL begin (\w+) ---\n([\s\S]*?)--- IDL end \1 ---/g)];
if (sections.length === 0) {
  console.error('check-idl: no IDL sections in the test output (did the idl-build tests run?)');
  process.exit(2);
}
let idl = null;
let address = null;
const events = [];
const extraTypes = [];
let errors = [];
for (const [, kind, body] of sections) {
  const value = JSON.parse(body);
  if (kind === 'program') idl = value;
  else if (kind === 'address') address = JSON.parse(value);
  else if (kind === 'event') {
    events.push(value.event);
    extraTypes.push(...value.types);
  } else if (kind === 'errors') errors = value;
}
if (!idl || !address) {
  console.error('check-idl: program or address section missing');
  process.exit(2);
}
idl.address = address;
idl.events = events;
idl.errors = errors;
const byName = new Map(idl.types.map((t) => [t.name, t]));
for (const t of extraTypes) if (!byName.has(t.name)) byName.set(t.name, t);
idl.types = [...byName.values()];
// Like the Anchor CLI: `rainbow_veil::events::TrackRegistered` -> `TrackRegistered`.
const short = (n) => n.split('::').pop();
for (const list of [idl.accounts, idl.events, idl.types]) for (const item of list) item.name = short(item.name);

/** Drops docs and empty optional lists; sorts name-keyed lists except instructions, accounts of an
 * instruction and fields (their order is the wire order). */
function normalize(v, key) {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x));
    const sortable = ['accounts_top', 'events', 'types', 'errors'].includes(key);
    return sortable ? items.sort((a, b) => String(a.name).localeCompare(String(b.name))) : items;
  }
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) {
      if (k === 'docs') continue;
      if (Array.isArray(v[k]) && v[k].length === 0 && k !== 'args' && k !== 'accounts') continue;
      out[k] = normalize(v[k], k);
    }
    return out;
  }
  return v;
}
function normalizeIdl(x) {
  const { accounts, ...rest } = x;
  const n = normalize(rest);
  n.accounts = normalize(accounts, 'accounts_top');
  return n;
}

const committedPath = path.join(__dirname, 'rainbow_veil/idl/rainbow_veil.json');
const committed = normalizeIdl(JSON.parse(fs.readFileSync(committedPath, 'utf8')));
const generated = normalizeIdl(idl);
if (writeTo) fs.writeFileSync(writeTo, `${JSON.stringify(idl, null, 2)}\n`);

const diffs = [];
function diff(a, b, at) {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diff(a[k], b[k], `${at}${Array.isArray(a) ? `[${k}]` : `.${k}`}`);
    }
    return;
  }
  diffs.push(`${at}: committed ${JSON.stringify(a)} != generated ${JSON.stringify(b)}`);
}
diff(committed, generated, 'idl');
if (diffs.length) {
  console.error(`check-idl: committed IDL differs from the program's:\n  ${diffs.slice(0, 40).join('\n  ')}`);
  process.exit(1);
}
console.log('check-idl: committed IDL matches the IDL generated from the program (docs ignored)');
