/**
 * JSON logging with pino. Every logged object and every child binding is scrubbed: fields whose
 * names look sensitive (token, password, secret, kubeconfig, authorization, pan, cardNumber, …)
 * print as "[REDACTED]" at any depth, and the `data`/`stringData` of a Secret never print.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REDACTED = '[REDACTED]';

/** Substrings (of the key lower-cased, without `-`/`_`) that make a field sensitive. */
export const SENSITIVE_KEY_PARTS: readonly string[] = [
  'token',
  'password',
  'passwd',
  'secret',
  'kubeconfig',
  'authorization',
  'apikey',
  'privatekey',
  'clientkey',
  'cardnumber',
  'credential',
  'cookie',
];
/** Whole keys (normalised the same way) that are sensitive. */
export const SENSITIVE_KEYS: readonly string[] = ['pan', 'cvv', 'cvc', 'cvv2', 'pin', 'track1', 'track2'];

const MAX_DEPTH = 10;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Whether a field with this name must not be printed. References to secrets (`secretRef`,
 * `kubeconfigSecretRef`, `secretName`) name a Secret without revealing it and stay visible.
 */
export function isSensitiveKey(key: string, extra: readonly string[] = []): boolean {
  const k = normalise(key);
  if (k.endsWith('ref') || k.endsWith('refs') || k.endsWith('name') || k.endsWith('names')) return false;
  if (SENSITIVE_KEYS.includes(k)) return true;
  for (const part of SENSITIVE_KEY_PARTS) if (k.includes(part)) return true;
  for (const part of extra) if (k.includes(normalise(part))) return true;
  return false;
}

function isPlainRecord(v: object): boolean {
  return !(
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Map ||
    v instanceof Set ||
    ArrayBuffer.isView(v) ||
    v instanceof ArrayBuffer ||
    v instanceof Promise
  );
}

/**
 * Returns a copy of `value` with sensitive fields replaced by "[REDACTED]". Errors keep their
 * prototype (so pino's error serializer still recognises them) with message and stack intact.
 */
export function redact(value: unknown, extra: readonly string[] = []): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (!isPlainRecord(v)) return v;
    if (seen.has(v)) return '[Circular]';
    if (depth > MAX_DEPTH) return '[Truncated]';
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      const src = v as Record<string, unknown>;
      const isSecret = src.kind === 'Secret';
      let out: Record<string, unknown>;
      if (v instanceof Error) {
        out = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
        for (const k of ['name', 'message', 'stack'] as const) {
          Object.defineProperty(out, k, {
            value: v[k],
            enumerable: false,
            writable: true,
            configurable: true,
          });
        }
        if (v.cause !== undefined) {
          Object.defineProperty(out, 'cause', {
            value: walk(v.cause, depth + 1),
            enumerable: false,
            writable: true,
            configurable: true,
          });
        }
      } else {
        out = {};
      }
      for (const key of Object.keys(src)) {
        if (isSensitiveKey(key, extra) || (isSecret && (key === 'data' || key === 'stringData'))) {
          out[key] = REDACTED;
        } else {
          out[key] = walk(src[key], depth + 1);
        }
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}

export function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Added to every line as `logger`. */
  name?: string;
  /** Fields added to every line. */
  base?: Record<string, unknown>;
  /** More key fragments to redact. */
  redactKeys?: readonly string[];
  /** Where lines go (default stdout). Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

/** Creates the JSON logger: ISO time, level as a label, redaction applied everywhere. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const extra = opts.redactKeys ?? [];
  const scrub = (o: Record<string, unknown>): Record<string, unknown> =>
    redact(o, extra) as Record<string, unknown>;
  const options = {
    level: opts.level ?? 'info',
    base: { ...(opts.base ?? {}), ...(opts.name ? { logger: opts.name } : {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      bindings: scrub,
      log: scrub,
    },
  };
  const root = opts.destination ? pino(options, opts.destination) : pino(options);
  // pino applies `formatters.bindings` to the root only; children (created with
  // Object.create(parent)) inherit this wrapper, so their bindings are scrubbed too.
  const protoChild = root.child;
  const child = function (this: Logger, bindings: Record<string, unknown>, childOpts?: object): Logger {
    return protoChild.call(this, scrub(bindings), childOpts) as unknown as Logger;
  };
  (root as unknown as { child: typeof child }).child = child;
  return root;
}

/** A logger that drops everything (for tests and optional dependencies). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
