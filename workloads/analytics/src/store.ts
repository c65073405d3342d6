// Applies a batch of feed events: one transaction that locks the cursor row, drops what it already
// counted (seq <= cursor: a re-fetch after a crash, or another replica that got there first), folds
// the rest (fold.ts), adds the deltas to the per-minute and total tables, opens and closes holds,
// and moves the cursor. Commit = counted once; anything less = counted not at all, and the
// follower fetches the same events again.
import type { Pool, PoolClient } from 'pg';
import type { FeedEvent } from './feed-event.js';
import { foldEvents, holdsToLookUp, type Folded, type Hold } from './fold.js';

export interface Applied {
  /** The cursor when the transaction began (another replica may have moved it). */
  readonly cursorBefore: number;
  readonly cursor: number;
  /** undefined when every event was already counted. */
  readonly folded: Folded | undefined;
}

type SqlType = 'timestamptz' | 'text' | 'bigint' | 'numeric' | 'smallint';
type Column = readonly [name: string, type: SqlType];

/**
 * INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE adding the values: into `<table>_by_minute`
 * row by row, and into `<table>_total` summed per key without the minute (GROUP BY, since one
 * statement may not touch a row twice).
 */
async function upsertPair(
  client: PoolClient,
  table: string,
  keys: readonly Column[],
  values: readonly Column[],
  data: readonly (readonly unknown[])[],
): Promise<void> {
  if ((data[0]?.length ?? 0) === 0) return;
  const all = [['minute', 'timestamptz'] as Column, ...keys, ...values];
  const unnest = `unnest(${all.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${all.map(([n]) => n).join(', ')})`;
  const add = values.map(([n]) => `${n} = t.${n} + EXCLUDED.${n}`).join(', ');
  const keyNames = keys.map(([n]) => n).join(', ');
  const valueNames = values.map(([n]) => n).join(', ');
  await client.query(
    `INSERT INTO ${table}_by_minute AS t (minute, ${keyNames}, ${valueNames})
     SELECT minute, ${keyNames}, ${valueNames} FROM ${unnest}
     ON CONFLICT (minute, ${keyNames}) DO UPDATE SET ${add}`,
    [...data],
  );
  await client.query(
    `INSERT INTO ${table}_total AS t (${keyNames}, ${valueNames})
     SELECT ${keyNames}, ${values.map(([n, ty]) => `sum(${n})::${ty}`).join(', ')} FROM ${unnest}
     GROUP BY ${keyNames}
     ON CONFLICT (${keyNames}) DO UPDATE SET ${add}`,
    [...data],
  );
}

const iso = (ms: number): string => new Date(ms).toISOString();
const SITE: readonly Column[] = [
  ['gateway', 'text'],
  ['site', 'text'],
];

async function writeDeltas(client: PoolClient, f: Folded): Promise<void> {
  await upsertPair(
    client,
    'counts',
    SITE,
    [
      ['approvals', 'bigint'],
      ['stand_in_approvals', 'bigint'],
      ['declines', 'bigint'],
      ['latency_count', 'bigint'],
      ['latency_sum_ms', 'numeric'],
    ],
    [
      f.counts.map((c) => iso(c.minuteMs)),
      f.counts.map((c) => c.gateway),
      f.counts.map((c) => c.site),
      f.counts.map((c) => c.approvals),
      f.counts.map((c) => c.standInApprovals),
      f.counts.map((c) => c.declines),
      f.counts.map((c) => c.latencyCount),
      f.counts.map((c) => c.latencySumMs.toString()),
    ],
  );
  await upsertPair(
    client,
    'declines',
    [...SITE, ['reason', 'text']],
    [['count', 'bigint']],
    [
      f.declines.map((d) => iso(d.minuteMs)),
      f.declines.map((d) => d.gateway),
      f.declines.map((d) => d.site),
      f.declines.map((d) => d.reason),
      f.declines.map((d) => d.count),
    ],
  );
  await upsertPair(
    client,
    'volumes',
    [...SITE, ['currency', 'text'], ['kind', 'text']],
    [
      ['count', 'bigint'],
      ['amount_minor', 'numeric'],
    ],
    [
      f.volumes.map((v) => iso(v.minuteMs)),
      f.volumes.map((v) => v.gateway),
      f.volumes.map((v) => v.site),
      f.volumes.map((v) => v.currency),
      f.volumes.map((v) => v.kind),
      f.volumes.map((v) => v.count),
      f.volumes.map((v) => v.amountMinor.toString()),
    ],
  );
  await upsertPair(
    client,
    'latency',
    [...SITE, ['bucket', 'smallint']],
    [['count', 'bigint']],
    [
      f.latency.map((l) => iso(l.minuteMs)),
      f.latency.map((l) => l.gateway),
      f.latency.map((l) => l.site),
      f.latency.map((l) => l.bucket),
      f.latency.map((l) => l.count),
    ],
  );
  if (f.holdsOpened.length > 0)
    await client.query(
      `INSERT INTO open_holds (id, gateway, site, currency, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (id) DO NOTHING`,
      [
        f.holdsOpened.map((h) => h.id),
        f.holdsOpened.map((h) => h.gateway),
        f.holdsOpened.map((h) => h.site),
        f.holdsOpened.map((h) => h.currency),
        f.holdsOpened.map(() => f.lastSeq),
      ],
    );
  if (f.holdsResolved.length > 0)
    await client.query('DELETE FROM open_holds WHERE id = ANY($1::text[])', [f.holdsResolved]);
}

async function loadHolds(client: PoolClient, ids: readonly string[]): Promise<Map<string, Hold>> {
  if (ids.length === 0) return new Map();
  const r = await client.query<Hold>(
    'SELECT id, gateway, site, currency FROM open_holds WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(r.rows.map((h) => [h.id, h]));
}

export async function applyEvents(pool: Pool, events: readonly FeedEvent[]): Promise<Applied> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const locked = await client.query<{ seq: string }>('SELECT seq FROM feed_cursor FOR UPDATE');
    const cursorBefore = Number(locked.rows[0]?.seq ?? 0);
    const fresh = events.filter((e) => e.seq > cursorBefore);
    if (fresh.length === 0) {
      await client.query('COMMIT');
      return { cursorBefore, cursor: cursorBefore, folded: undefined };
    }
    const folded = foldEvents(fresh, await loadHolds(client, holdsToLookUp(fresh)), cursorBefore);
    await writeDeltas(client, folded);
    await client.query(
      `UPDATE feed_cursor SET seq = $1, updated_at = now(),
         last_event_at = coalesce($2::timestamptz, last_event_at)`,
      [folded.lastSeq, folded.lastAtMs !== undefined ? iso(folded.lastAtMs) : null],
    );
    await client.query('COMMIT');
    return { cursorBefore, cursor: folded.lastSeq, folded };
  } catch (err) {
    // A failed ROLLBACK means the connection is gone: drop it rather than return it to the pool.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

export interface CursorRow {
  readonly seq: number;
  readonly lastEventAtMs: number | undefined;
}

export async function readCursor(pool: Pool): Promise<CursorRow> {
  const r = await pool.query<{ seq: string; last_event_at: Date | null }>(
    'SELECT seq, last_event_at FROM feed_cursor',
  );
  const row = r.rows[0];
  return { seq: Number(row?.seq ?? 0), lastEventAtMs: row?.last_event_at?.getTime() };
}
