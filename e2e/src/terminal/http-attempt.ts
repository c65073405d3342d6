// One HTTP write to an authorization endpoint, with a deadline, turned into an AttemptOutcome
// (the I/O edge of the terminal; decisions.ts decides what follows).
import type { AttemptOutcome } from './decisions.js';

export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  /** The JSON body of an answer (empty when none or not JSON). */
  readonly body: Record<string, unknown>;
  readonly latencyMs: number;
}

export async function postJson(
  url: string,
  body: unknown,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON: the status says enough
    }
    const reason = (parsed.error as { reason?: unknown } | undefined)?.reason;
    return {
      outcome: { kind: 'answered', status: res.status, ...(typeof reason === 'string' ? { reason } : {}) },
      body: parsed,
      latencyMs: latency(),
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { outcome: { kind: 'timeout' }, body: {}, latencyMs: latency() };
    return {
      outcome: { kind: 'unreachable', code: e.cause?.code ?? e.name ?? 'FetchFailed' },
      body: {},
      latencyMs: latency(),
    };
  }
}
