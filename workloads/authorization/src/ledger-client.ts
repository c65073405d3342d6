// The ledger's HTTP client: a keep-alive agent (the online path must not pay a TCP handshake per
// authorization), a hard deadline per call, and the fencing headers of the current contract on
// every call. The result says whether the ledger answered (any 2xx/4xx, which is its decision) or
// not (timeout, refused connection, 5xx); "not" is what sends an authorization to stand-in, and
// `ambiguous` says whether the ledger may still have booked the request.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type LedgerResult =
  | { readonly kind: 'answered'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'unavailable'; readonly ambiguous: boolean; readonly cause: string };

export interface LedgerTarget {
  /** Base URL, e.g. http://ledger:8080; undefined when the contract has none. */
  readonly baseUrl: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LedgerClientOptions {
  readonly timeoutMs: number;
  /** Read on every call, so a contract reload moves the next call. */
  readonly target: () => LedgerTarget;
  readonly maxSockets?: number;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface ParsedBase {
  readonly baseUrl: string;
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** The base's path without its trailing slash, prefixed to every call's path. */
  readonly prefix: string;
}

export class LedgerClient {
  private readonly agent: Agent;
  private readonly httpsAgent: HttpsAgent;
  /** The last endpoint parsed: it changes only with the contract, so not parsed per call. */
  private base: ParsedBase | undefined;

  constructor(private readonly options: LedgerClientOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128, keepAliveMsecs: 10_000 };
    this.agent = new Agent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = this.options.timeoutMs,
  ): Promise<LedgerResult> {
    const target = this.options.target();
    if (target.baseUrl === undefined)
      return Promise.resolve({
        kind: 'unavailable',
        ambiguous: false,
        cause: 'the contract names no ledger endpoint',
      });
    const base = this.parse(target.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const secure = base.secure;
    return new Promise((resolve) => {
      let settled = false;
      let sent = false;
      const done = (r: LedgerResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = (secure ? httpsRequest : request)(
        {
          hostname: base.hostname,
          port: base.port,
          path: base.prefix + path,
          method,
          agent: secure ? this.httpsAgent : this.agent,
          headers: {
            ...target.headers,
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () =>
            done({ kind: 'unavailable', ambiguous: true, cause: 'the ledger response broke off' }),
          );
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
            } catch {
              parsed = undefined;
            }
            if (status >= 500)
              done({
                kind: 'unavailable',
                ambiguous: true,
                cause: `the ledger answered ${status}${reasonOf(parsed)}`,
              });
            else done({ kind: 'answered', status, body: parsed });
          });
        },
      );
      const timer = setTimeout(() => {
        done({
          kind: 'unavailable',
          ambiguous: sent,
          cause: `the ledger did not answer within ${timeoutMs} ms`,
        });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) =>
        done({
          kind: 'unavailable',
          ambiguous: !NOT_SENT.has(err.code ?? ''),
          cause: `ledger: ${err.code ?? err.message}`,
        }),
      );
      req.on('finish', () => (sent = true));
      req.end(payload);
    });
  }

  private parse(baseUrl: string): ParsedBase {
    if (this.base?.baseUrl === baseUrl) return this.base;
    const url = new URL(baseUrl);
    const secure = url.protocol === 'https:';
    this.base = {
      baseUrl,
      secure,
      // URL keeps IPv6 literals in brackets; the request options want the bare address.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      prefix: url.pathname.replace(/\/$/, ''),
    };
    return this.base;
  }

  close(): void {
    this.agent.destroy();
    this.httpsAgent.destroy();
  }
}

function reasonOf(body: unknown): string {
  const reason = (body as { error?: { reason?: unknown } } | undefined)?.error?.reason;
  return typeof reason === 'string' ? ` ${reason}` : '';
}
