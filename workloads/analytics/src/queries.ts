// Reads of the aggregates for /v1/summary (the *_total tables) and /v1/series (the *_by_minute
// tables, summed per step). Values arrive from PostgreSQL as text and become exact bigints.
import type { Pool } from 'pg';
import type { VolumeKind } from './fold.js';
import type { SeriesQuery, SummaryQuery } from './query-params.js';
import type { TotalsRows } from './totals.js';

type Text = string;

function filters(q: SummaryQuery, first: number): { where: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (q.gateway !== undefined) {
    params.push(q.gateway);
    clauses.push(`gateway = $${first + params.length - 1}`);
  }
  if (q.site !== undefined) {
    params.push(q.site);
    clauses.push(`site = $${first + params.length - 1}`);
  }
  return { where: clauses.join(' AND '), params };
}

const and = (...parts: string[]): string => {
  const p = parts.filter((x) => x !== '');
  return p.length ? `WHERE ${p.join(' AND ')}` : '';
};

interface Raw {
  gateway: Text;
  site: Text;
  at?: Date;
}

async function readAll(
  pool: Pool,
  sql: (table: string, cols: string, sums: string) => string,
  params: readonly unknown[],
): Promise<{ rows: TotalsRows; at: (Date | undefined)[][] }> {
  const [counts, declines, volumes, latency] = await Promise.all([
    pool.query<Raw & Record<string, Text>>(
      sql(
        'counts',
        '',
        `sum(approvals) AS approvals, sum(stand_in_approvals) AS stand_in, sum(declines) AS declines,
         sum(latency_count) AS latency_count, sum(latency_sum_ms) AS latency_sum_ms`,
      ),
      [...params],
    ),
    pool.query<Raw & Record<string, Text>>(sql('declines', 'reason', 'sum(count) AS count'), [...params]),
    pool.query<Raw & Record<string, Text>>(
      sql('volumes', 'currency, kind', 'sum(count) AS count, sum(amount_minor) AS amount_minor'),
      [...params],
    ),
    pool.query<Raw & Record<string, Text>>(sql('latency', 'bucket', 'sum(count) AS count'), [...params]),
  ]);
  return {
    rows: {
      counts: counts.rows.map((r) => ({
        gateway: r.gateway,
        site: r.site,
        approvals: BigInt(r.approvals as Text),
        standInApprovals: BigInt(r.stand_in as Text),
        declines: BigInt(r.declines as Text),
        latencyCount: BigInt(r.latency_count as Text),
        latencySumMs: BigInt(r.latency_sum_ms as Text),
      })),
      declines: declines.rows.map((r) => ({
        gateway: r.gateway,
        site: r.site,
        reason: r.reason as Text,
        count: BigInt(r.count as Text),
      })),
      volumes: volumes.rows.map((r) => ({
        gateway: r.gateway,
        site: r.site,
        currency: r.currency as Text,
        kind: r.kind as VolumeKind,
        count: BigInt(r.count as Text),
        amountMinor: BigInt(r.amount_minor as Text),
      })),
      latency: latency.rows.map((r) => ({
        gateway: r.gateway,
        site: r.site,
        bucket: Number(r.bucket),
        count: BigInt(r.count as Text),
      })),
    },
    at: [counts.rows, declines.rows, volumes.rows, latency.rows].map((rows) => rows.map((r) => r.at)),
  };
}

/** All-time totals per gateway and site, optionally for one gateway and/or site. */
export async function readTotals(pool: Pool, q: SummaryQuery = {}): Promise<TotalsRows> {
  const f = filters(q, 1);
  const { rows } = await readAll(
    pool,
    (table, cols, sums) =>
      `SELECT gateway, site${cols ? `, ${cols}` : ''}, ${sums} FROM ${table}_total ${and(f.where)}
       GROUP BY gateway, site${cols ? `, ${cols}` : ''}`,
    f.params,
  );
  return rows;
}

export interface TimedTotals {
  readonly atMs: number;
  readonly rows: TotalsRows;
}

/** Per-step sums over the filter (gateway and site folded together), only steps that have data. */
export async function readSeries(pool: Pool, q: SeriesQuery): Promise<TimedTotals[]> {
  const f = filters(q, 4);
  const { rows, at } = await readAll(
    pool,
    (table, cols, sums) =>
      `SELECT date_trunc($1, minute) AS at, '' AS gateway, '' AS site${cols ? `, ${cols}` : ''}, ${sums}
       FROM ${table}_by_minute ${and('minute >= $2 AND minute < $3', f.where)}
       GROUP BY 1${cols ? `, ${cols}` : ''}`,
    [q.step, new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString(), ...f.params],
  );
  const byAt = new Map<
    number,
    { counts: unknown[]; declines: unknown[]; volumes: unknown[]; latency: unknown[] }
  >();
  const names = ['counts', 'declines', 'volumes', 'latency'] as const;
  names.forEach((name, i) => {
    rows[name].forEach((row, j) => {
      const atMs = (at[i]?.[j] as Date).getTime();
      let slot = byAt.get(atMs);
      if (!slot) byAt.set(atMs, (slot = { counts: [], declines: [], volumes: [], latency: [] }));
      slot[name].push(row);
    });
  });
  return [...byAt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([atMs, slot]) => ({ atMs, rows: slot as unknown as TotalsRows }));
}
