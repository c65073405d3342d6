// Query parameters of /v1/summary and /v1/series, checked before any query runs: an unknown, repeated
// or malformed parameter is a 400 naming it and the rule it broke. Pure (the clock is an argument).
import { invalidField, type HttpError } from '@paygrid/workload-kit';

export const STEPS = { minute: 60_000, hour: 3_600_000 } as const;
export type Step = keyof typeof STEPS;

/** Most rows one series answer may hold (a day of minutes). */
export const MAX_SERIES_POINTS = 1440;
/** Points when `from` is not given. */
export const DEFAULT_SERIES_POINTS = 60;

export interface SummaryQuery {
  readonly gateway?: string;
  readonly site?: string;
}

export interface SeriesQuery extends SummaryQuery {
  readonly step: Step;
  readonly stepMs: number;
  /** Start of the first row (inclusive), on a step boundary. */
  readonly fromMs: number;
  /** End of the last row (exclusive), on a step boundary. */
  readonly toMs: number;
}

// RFC 3339 with an explicit offset; seconds and milliseconds optional.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: HttpError };

function single(q: URLSearchParams, allowed: readonly string[]): HttpError | undefined {
  for (const name of new Set(q.keys())) {
    if (!allowed.includes(name))
      return invalidField(
        name,
        'unknown',
        `${name.slice(0, 40)} is not a parameter here; use ${allowed.join(', ')}`,
      );
    if (q.getAll(name).length > 1) return invalidField(name, 'single', `give ${name} once`);
  }
  return undefined;
}

function names(q: URLSearchParams): Parsed<SummaryQuery> {
  const out: { gateway?: string; site?: string } = {};
  for (const name of ['gateway', 'site'] as const) {
    const v = q.get(name);
    if (v === null) continue;
    if (!NAME.test(v))
      return {
        ok: false,
        error: invalidField(name, 'name', `${name} must be 1-128 of A-Z a-z 0-9 _ . : / -`),
      };
    out[name] = v;
  }
  return { ok: true, value: out };
}

/** Date.parse rolls 2026-02-30 over into March; a calendar day that does not exist is refused instead. */
function realDate(v: string): boolean {
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

function timestamp(q: URLSearchParams, name: string): Parsed<number | undefined> {
  const v = q.get(name);
  if (v === null) return { ok: true, value: undefined };
  const ms = TIMESTAMP.test(v) && realDate(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms))
    return {
      ok: false,
      error: invalidField(name, 'timestamp', `${name} must be an RFC 3339 time such as 2026-01-31T12:00:00Z`),
    };
  return { ok: true, value: ms };
}

export function parseSummaryQuery(q: URLSearchParams): Parsed<SummaryQuery> {
  const bad = single(q, ['gateway', 'site']);
  return bad ? { ok: false, error: bad } : names(q);
}

export function parseSeriesQuery(q: URLSearchParams, nowMs: number): Parsed<SeriesQuery> {
  const bad = single(q, ['gateway', 'site', 'from', 'to', 'step']);
  if (bad) return { ok: false, error: bad };
  const filter = names(q);
  if (!filter.ok) return filter;
  const stepRaw = q.get('step') ?? 'minute';
  if (!Object.hasOwn(STEPS, stepRaw))
    return { ok: false, error: invalidField('step', 'enum', 'step must be minute or hour') };
  const step = stepRaw as Step;
  const stepMs = STEPS[step];
  const from = timestamp(q, 'from');
  if (!from.ok) return from;
  const to = timestamp(q, 'to');
  if (!to.ok) return to;
  const down = (ms: number): number => ms - (((ms % stepMs) + stepMs) % stepMs);
  // `to` is exclusive: the step holding it is included (the current minute, by default).
  const toMs = down(to.value ?? nowMs) + stepMs;
  const fromMs = from.value !== undefined ? down(from.value) : toMs - DEFAULT_SERIES_POINTS * stepMs;
  if (from.value !== undefined && from.value >= (to.value ?? nowMs))
    return {
      ok: false,
      error: invalidField('from', 'beforeTo', 'from must be earlier than to (default: now)'),
    };
  if ((toMs - fromMs) / stepMs > MAX_SERIES_POINTS)
    return {
      ok: false,
      error: invalidField('from', 'maxRange', `from..to may span at most ${MAX_SERIES_POINTS} ${step}s`),
    };
  return { ok: true, value: { ...filter.value, step, stepMs, fromMs, toMs } };
}
