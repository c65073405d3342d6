// The analytics HTTP API (openapi.yaml): GET /v1/summary and GET /v1/series, read from PostgreSQL.
import type { Pool } from 'pg';
import { HttpError, Router, type Handler } from '@paygrid/workload-kit';
import { seriesView, summaryView } from './aggregate-view.js';
import type { FollowerState } from './follower.js';
import { readSeries, readTotals } from './queries.js';
import { parseSeriesQuery, parseSummaryQuery } from './query-params.js';
import { readCursor } from './store.js';

export interface AnalyticsApiDeps {
  readonly pool: Pool;
  readonly follower: () => FollowerState;
  readonly now?: () => number;
}

async function fromDatabase<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new HttpError(
      503,
      'DatabaseUnavailable',
      `the analytics database did not answer (${(err as Error).message.slice(0, 120)}); retry`,
    );
  }
}

export function analyticsRoutes(deps: AnalyticsApiDeps): Router<Handler> {
  const now = deps.now ?? Date.now;
  return new Router<Handler>()
    .add('GET', '/v1/summary', async (req) => {
      const q = parseSummaryQuery(req.query);
      if (!q.ok) throw q.error;
      const [rows, cursor] = await fromDatabase(() =>
        Promise.all([readTotals(deps.pool, q.value), readCursor(deps.pool)]),
      );
      const f = deps.follower();
      return {
        status: 200,
        body: summaryView(rows, {
          cursor: cursor.seq,
          lastEventAt:
            cursor.lastEventAtMs !== undefined ? new Date(cursor.lastEventAtMs).toISOString() : null,
          lagSeconds: f.lagSeconds,
          feedUp: f.up,
        }),
      };
    })
    .add('GET', '/v1/series', async (req) => {
      const q = parseSeriesQuery(req.query, now());
      if (!q.ok) throw q.error;
      const points = await fromDatabase(() => readSeries(deps.pool, q.value));
      return { status: 200, body: seriesView(points, q.value) };
    });
}
