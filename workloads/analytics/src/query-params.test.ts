import type { HttpError } from '@paygrid/workload-kit';
import { parseSeriesQuery, parseSummaryQuery } from './query-params.js';

const NOW = Date.parse('2026-03-01T12:34:56Z');
const q = (s: string): URLSearchParams => new URLSearchParams(s);

function refusal(r: { ok: true } | { ok: false; error: HttpError }): {
  status: number;
  field?: string;
  rule?: string;
} {
  if (r.ok) throw new Error('expected a refusal');
  const e = r.error.body().error;
  return { status: r.error.status, field: e.field, rule: e.rule };
}

describe('query parameters', () => {
  it('series defaults to the last 60 minutes, the current one included', () => {
    const r = parseSeriesQuery(q(''), NOW);
    expect(r).toEqual({
      ok: true,
      value: {
        step: 'minute',
        stepMs: 60_000,
        fromMs: Date.parse('2026-03-01T11:35:00Z'),
        toMs: Date.parse('2026-03-01T12:35:00Z'),
      },
    });
  });

  it('series takes gateway, site, from, to and step, aligned to the step', () => {
    const r = parseSeriesQuery(
      q(
        'gateway=payments/checkout&site=edge-a&from=2026-03-01T10:10:10Z&to=2026-03-01T12:00:00%2B01:00&step=hour',
      ),
      NOW,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        gateway: 'payments/checkout',
        site: 'edge-a',
        step: 'hour',
        stepMs: 3_600_000,
        fromMs: Date.parse('2026-03-01T10:00:00Z'),
        toMs: Date.parse('2026-03-01T12:00:00Z'),
      },
    });
  });

  it.each([
    ['gatewy=x', 'gatewy', 'unknown'],
    ['site=a&site=b', 'site', 'single'],
    ['gateway=' + 'x'.repeat(129), 'gateway', 'name'],
    ['site=edge%20a', 'site', 'name'],
    ['from=yesterday', 'from', 'timestamp'],
    ['to=2026-03-01', 'to', 'timestamp'],
    ['to=2026-02-30T00:00:00Z', 'to', 'timestamp'],
    ['step=second', 'step', 'enum'],
    ['from=2026-03-01T12:00:00Z&to=2026-03-01T12:00:00Z', 'from', 'beforeTo'],
    ['from=2026-03-02T00:00:00Z', 'from', 'beforeTo'],
    ['from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'from', 'maxRange'],
  ])('series refuses %s naming %s (%s)', (query, field, rule) => {
    expect(refusal(parseSeriesQuery(q(query), NOW))).toEqual({ status: 400, field, rule });
  });

  it('series allows exactly the maximum range', () => {
    const r = parseSeriesQuery(q('from=2026-03-01T00:00:00Z&to=2026-03-01T23:59:59Z'), NOW);
    expect(r.ok && (r.value.toMs - r.value.fromMs) / r.value.stepMs).toBe(1440);
  });

  it('summary takes only gateway and site', () => {
    expect(parseSummaryQuery(q('gateway=payments/checkout'))).toEqual({
      ok: true,
      value: { gateway: 'payments/checkout' },
    });
    expect(refusal(parseSummaryQuery(q('from=2026-03-01T00:00:00Z')))).toEqual({
      status: 400,
      field: 'from',
      rule: 'unknown',
    });
  });
});
