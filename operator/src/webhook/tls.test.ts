import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CA_CERT, TEST_SERVER_CERT, TEST_SERVER_KEY } from '../members/testdata/certs.js';
import { createTlsServer, loadTls, reloadTlsOnChange } from './tls.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paygrid-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(cert = TEST_SERVER_CERT, key = TEST_SERVER_KEY) {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  return { certFile, keyFile };
}

describe('loadTls', () => {
  it('reads PEM files and fingerprints them', () => {
    const a = loadTls(files());
    expect(a.cert.toString()).toBe(TEST_SERVER_CERT);
    expect(loadTls(files()).fingerprint).toBe(a.fingerprint);
    expect(loadTls(files(`${TEST_SERVER_CERT}\n`)).fingerprint).not.toBe(a.fingerprint);
  });

  it('names the file it cannot use', () => {
    expect(() => loadTls({ certFile: join(dir, 'nope.crt'), keyFile: join(dir, 'nope.key') })).toThrow(
      /cannot read the webhook's certificate .*nope\.crt: ENOENT/,
    );
    expect(() => loadTls(files('garbage'))).toThrow(/holds no PEM certificate/);
    expect(() => loadTls(files(TEST_SERVER_CERT, 'garbage'))).toThrow(/holds no PEM private key/);
  });
});

describe('reloadTlsOnChange', () => {
  it('gives the server the new certificate when the files change, and ignores broken files', async () => {
    const f = files();
    const contexts: unknown[] = [];
    const stop = reloadTlsOnChange({ setSecureContext: (c) => contexts.push(c) }, f, loadTls(f), {
      intervalMs: 10,
    });
    try {
      await new Promise((r) => setTimeout(r, 40));
      expect(contexts).toHaveLength(0);
      writeFileSync(f.keyFile, 'half-written');
      await new Promise((r) => setTimeout(r, 40));
      expect(contexts).toHaveLength(0);
      writeFileSync(f.certFile, `${TEST_SERVER_CERT}\n`);
      writeFileSync(f.keyFile, TEST_SERVER_KEY);
      await new Promise((r) => setTimeout(r, 40));
      expect(contexts).toHaveLength(1);
    } finally {
      stop();
    }
  });
});

describe('createTlsServer', () => {
  it('serves HTTPS with the certificate', async () => {
    const { server } = createTlsServer((_req, res) => res.end('ok'), files());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca: TEST_CA_CERT, path: '/' }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
