// The result file: one JSON object per line, one line per HTTP attempt a terminal made (and one
// per payment it gave up on). Written by the fleet, read by the reconciliation, so the record's
// shape is defined here once. Never the PAN: only its last four digits.
import { appendFileSync, readFileSync } from 'node:fs';

export type Operation = 'authorize' | 'capture' | 'reversal';

export interface ResultRecord {
  /** ISO time the answer (or failure) came. */
  readonly at: string;
  /** "namespace/name" of the gateway whose routes the terminal followed. */
  readonly gateway: string;
  readonly terminal: string;
  readonly op: Operation;
  /** Idempotency-Key of the write; the same on every retry of it. */
  readonly key: string;
  /** 1 for the first attempt of this key, then 2, 3, ... across endpoints. */
  readonly attempt: number;
  /** Endpoint tried, or null when no route was left to try. */
  readonly endpoint: string | null;
  /** HTTP status, or 0 when there was no answer. */
  readonly status: number;
  /** No answer: timeout, ECONNREFUSED, ECONNRESET, noRoute, gaveUp, ... */
  readonly failure?: string;
  /** Authorization id: the answer's (authorize) or the target's (capture, reversal). */
  readonly authId?: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly last4: string;
  /** authorize answers: approved or declined. */
  readonly decision?: 'approved' | 'declined';
  /** authorize approvals: online or standIn. */
  readonly mode?: 'online' | 'standIn';
  /** Decline reason, or the error reason of a non-2xx answer. */
  readonly reason?: string;
  /** Capture answers: the amount captured. */
  readonly capturedMinor?: number;
  readonly latencyMs: number;
}

/** Appends records to a file, one line each, synchronously: a crash loses no acknowledged line. */
export class ResultFile {
  constructor(readonly path: string) {}

  append(record: ResultRecord): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }
}

const OPS = new Set<Operation>(['authorize', 'capture', 'reversal']);

/** Parses a result file; a malformed line is an error naming the file, line and field. */
export function parseResults(text: string, source: string): ResultRecord[] {
  const out: ResultRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${source}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not JSON`);
    }
    const r = v as Record<string, unknown>;
    const need = (field: string, ok: boolean): void => {
      if (!ok) throw new Error(`${where}: field ${field} is missing or invalid`);
    };
    need('op', OPS.has(r.op as Operation));
    for (const f of ['at', 'gateway', 'terminal', 'key', 'currency', 'last4'])
      need(f, typeof r[f] === 'string' && r[f] !== '');
    need('attempt', Number.isSafeInteger(r.attempt));
    need('status', Number.isSafeInteger(r.status));
    need('amountMinor', Number.isSafeInteger(r.amountMinor));
    need('endpoint', r.endpoint === null || typeof r.endpoint === 'string');
    need('last4', /^\d{4}$/.test(String(r.last4)));
    out.push(v as ResultRecord);
  }
  return out;
}

export function readResultFile(path: string): ResultRecord[] {
  return parseResults(readFileSync(path, 'utf8'), path);
}
