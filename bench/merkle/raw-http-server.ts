// The raw limit for path serving on this machine: a bare node:http server (own process) with a
// prebuilt JSON path (the registry's exact size) for each of RAW_LEAVES indices, answering every
// GET with one random path and every POST (body read, not parsed) with 100 random paths copied
// into one buffer, as a perfect cache would; large answers go into reused buffers, given back when
// their response finished (as the registry's fast lane does: apps/registry/src/trees/answer-buffers.ts). No routing, validation, database, verification,
// logging or metrics: what any server could at best do here under the same load generator.
// Prints its port on stdout.
import { createServer } from 'http';
import { AnswerBuffers } from '../../apps/registry/src/trees/answer-buffers';

const leaves = Number(process.env.RAW_LEAVES ?? 100_000);
const hex = (c: string): string => '0x' + c.repeat(64);
const siblings = Array.from({ length: 20 }, () => hex('b'));
const paths = Array.from({ length: leaves }, (_, index) =>
  Buffer.from(JSON.stringify({ index, leaf: hex('a'), siblings }), 'latin1'),
);
const head = Buffer.from(`{"trackId":"1","root":"${hex('c')}","seq":10,"slot":10,`);

const buffers = new AnswerBuffers();

function answer(n: number): Buffer {
  const pick = Array.from({ length: n }, () => paths[Math.floor(Math.random() * leaves)] as Buffer);
  const open = n === 1 ? '"path":' : '"paths":[';
  const close = n === 1 ? '}' : ']}';
  let size = head.length + open.length + close.length + n - 1;
  for (const p of pick) size += p.length;
  const out = buffers.take(size);
  let at = out.write(open, head.copy(out, 0), 'latin1');
  pick.forEach((p, i) => {
    if (i > 0) at = out.writeUInt8(0x2c, at);
    out.set(p, at);
    at += p.length;
  });
  out.write(close, at, 'latin1');
  return out;
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = answer(req.method === 'POST' ? 100 : 1);
    res.once('finish', () => buffers.give(body));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
