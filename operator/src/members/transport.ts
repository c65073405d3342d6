// The real ProbeTransport: plain GETs to a member's apiserver with node:https (node:http for
// an http:// server with insecure-skip-tls-verify), authenticated and TLS-configured by the
// member's own KubeConfig (client-node's applyToHTTPSOptions). Errors are Node's own
// (ECONNREFUSED, certificate codes, AbortError, ...), which probe.ts classifies.

import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { redactServer } from './kubeconfig.js';
import type { ProbeTransport, TransportRequest, TransportResponse } from './probe.js';

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const USER_AGENT = 'paygrid-operator (member probe)';

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

/** A transport for the current cluster of `kc` (which must be the member's own KubeConfig). */
export function kubeConfigTransport(kc: KubeConfig): ProbeTransport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const base = cluster.server.replace(/\/$/, '');
  return {
    server: redactServer(base),
    async get(path: string, request: TransportRequest): Promise<TransportResponse> {
      request.signal.throwIfAborted();
      const url = new URL(base + path);
      const options: https.RequestOptions = {
        method: 'GET',
        headers: { Accept: request.accept ?? 'application/json', 'User-Agent': USER_AGENT },
        signal: request.signal,
      };
      await kc.applyToHTTPSOptions(options);
      request.signal.throwIfAborted();
      const send = url.protocol === 'http:' ? http.request : https.request;
      const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      return new Promise<TransportResponse>((resolve, reject) => {
        const req = send(url, options, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
              req.destroy(new ResponseTooLargeError(`response to ${path} is larger than ${limit} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    },
  };
}
