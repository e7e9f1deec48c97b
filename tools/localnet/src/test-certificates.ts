import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

/** A throwaway certificate authority and a server certificate it signed, as PEM files. */
export interface TestCertificates {
  dir: string;
  /** The CA certificate: what a client trusts (GEYSER_CA_FILE). */
  caFile: string;
  /** The server's certificate (for localhost and 127.0.0.1) and its private key. */
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** Deletes the folder (private keys included). */
  remove(): void;
}

/**
 * Generates, with the openssl CLI, a CA and a server certificate for `localhost` / `127.0.0.1`
 * (P-256, valid 2 days) in a new temporary folder: TLS for the local chain's gRPC port in tests.
 * No private key is ever committed; each run makes its own. The CA is a real CA (basic
 * constraints CA:TRUE) and the server certificate a leaf (CA:FALSE, serverAuth), as rustls (the
 * N-API Yellowstone client) requires; grpc-js accepts the same.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'rv-tls-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=rv-localnet test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(
    f('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.pem'),
  );
  return {
    dir,
    caFile: f('ca.pem'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
    cert: readFileSync(f('server.pem')),
    key: readFileSync(f('server.key')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
