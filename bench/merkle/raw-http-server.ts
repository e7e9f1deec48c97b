// The raw limit for path serving on this machine: a bare node:http server (own process) that
// answers every GET with a fixed single-path JSON and every POST (body read) with a fixed
// 100-path JSON of the registry's exact sizes, prebuilt as bytes. No routing, validation,
// database, verification or logging: what any server could at best do here under the same load
// generator. Prints its port on stdout.
import { createServer } from 'http';

const hex = (c: string): string => '0x' + c.repeat(64);
const path = JSON.stringify({
  index: 123456,
  leaf: hex('a'),
  siblings: Array.from({ length: 20 }, () => hex('b')),
});
const head = `{"trackId":"1","root":"${hex('c')}","seq":10,"slot":10`;
const single = Buffer.from(`${head},"path":${path}}`);
const batch = Buffer.from(`${head},"paths":[${Array.from({ length: 100 }, () => path).join(',')}]}`);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(req.method === 'POST' ? batch : single);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
