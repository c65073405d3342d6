// Serving certificates for the webhook's HTTPS server, reloaded when their files change.
//
// In the cluster the certificate comes from a Secret mounted as a volume: the chart's own
// (self-signed CA, renewed by `helm upgrade` before it expires) or cert-manager's (renewed by
// cert-manager). The kubelet swaps the files in place when the Secret changes, so the server
// re-reads them periodically and switches its TLS context without a restart; connections in
// flight keep their handshake.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { Logger } from '../runtime/logger.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** sha256 of cert and key, to notice changes. */
  readonly fingerprint: string;
}

/** Reads the certificate chain and key (PEM). Throws naming the file that cannot be read. */
export function loadTls(files: TlsFiles): TlsMaterial {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(
        `cannot read the webhook's ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  };
  const cert = read(files.certFile, 'certificate');
  const key = read(files.keyFile, 'private key');
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(`${files.certFile} holds no PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    throw new Error(`${files.keyFile} holds no PEM private key`);
  }
  const fingerprint = createHash('sha256').update(cert).update('\0').update(key).digest('hex');
  return { cert, key, fingerprint };
}

export interface TlsReloadOptions {
  /** How often to look at the files (default 10 s; the kubelet updates Secret volumes within about a minute). */
  readonly intervalMs?: number;
  readonly logger?: Logger;
}

/**
 * Re-reads the files every `intervalMs` and gives the server the new certificate when they
 * changed (and parse). Returns a function that stops watching.
 */
export function reloadTlsOnChange(
  server: Pick<Server, 'setSecureContext'>,
  files: TlsFiles,
  initial: TlsMaterial,
  opts: TlsReloadOptions = {},
): () => void {
  let current = initial.fingerprint;
  const timer = setInterval(() => {
    let next: TlsMaterial;
    try {
      next = loadTls(files);
    } catch (err) {
      // Mid-swap, or removed: keep serving the certificate we have.
      opts.logger?.warn({ err }, 'webhook certificate not reloaded');
      return;
    }
    if (next.fingerprint === current) return;
    try {
      server.setSecureContext({ cert: next.cert, key: next.key });
      current = next.fingerprint;
      opts.logger?.info({ certFile: files.certFile }, 'webhook certificate reloaded');
    } catch (err) {
      opts.logger?.error({ err }, 'webhook certificate rejected; keeping the previous one');
    }
  }, opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** An HTTPS server for `handler` with the certificate from `files`, reloaded when it changes. */
export function createTlsServer(
  handler: RequestListener,
  files: TlsFiles,
  opts: TlsReloadOptions = {},
): { server: Server; stopReloading: () => void } {
  const tls = loadTls(files);
  const server = createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler);
  const stopReloading = reloadTlsOnChange(server, files, tls, opts);
  server.on('close', stopReloading);
  return { server, stopReloading };
}
