/**
 * Short, log-safe descriptions of errors from the Kubernetes API. client-node's ApiException
 * message embeds the whole response body and headers; logs want the status code, the Status
 * reason and its message, and nothing else.
 */

export interface ErrorSummary {
  message: string;
  /** HTTP status code, when there is one. */
  code?: number;
  /** metav1.Status reason, e.g. "Conflict", "Expired", "Forbidden". */
  reason?: string;
}

export interface StatusLike {
  code?: unknown;
  reason?: unknown;
  message?: unknown;
}

/** The metav1.Status in an ApiException body (an object, or JSON text), if any. */
export function parseStatusBody(body: unknown): StatusLike | undefined {
  if (body && typeof body === 'object') return body as StatusLike;
  if (typeof body === 'string' && body.startsWith('{')) {
    try {
      return JSON.parse(body) as StatusLike;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The HTTP status code of an API error (`code` on ApiException, `statusCode` on Watch errors). */
export function statusCode(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** Summarises any thrown value for a log line (`{ error: describeError(err) }`). */
export function describeError(err: unknown): ErrorSummary {
  const code = statusCode(err);
  const status =
    err && typeof err === 'object' ? parseStatusBody((err as { body?: unknown }).body) : undefined;
  let message: string;
  if (typeof status?.message === 'string') message = status.message;
  else if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    message = (err as { message: string }).message;
  } else message = String(err);
  if (message.length > 500) message = `${message.slice(0, 500)}…`;
  const out: ErrorSummary = { message };
  if (code !== undefined) out.code = code;
  if (typeof status?.reason === 'string') out.reason = status.reason;
  return out;
}

/** One line for a condition message: "HTTP 403: ...", "request timed out", "ECONNREFUSED: ...". */
export function errorText(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'request timed out';
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const { message, code } = describeError(err);
  if (code !== undefined) return `HTTP ${code}: ${message}`;
  return typeof cause?.code === 'string' ? `${cause.code}: ${message}` : message;
}
