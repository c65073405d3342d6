// What analytics must say, from the ledger's own tables: the counted part of GET /v1/summary's
// sites (approvals, stand-in approvals, declines and their reasons, volumes per kind), computed
// with SQL on the ledger's database, so a test compares analytics' totals with the books.
import { queryText } from './postgres.js';

export interface AnalyticsSite {
  gateway: string;
  site: string;
  approvals: number;
  standInApprovals: number;
  declines: number;
  declineReasons: Record<string, number>;
  volumes: Record<string, Record<string, { count: number; amountMinor: number }>>;
  latency: { count: number; sumMs: number; p50Ms: number | null; p99Ms: number | null };
  approvalRate?: number | null;
}
export interface AnalyticsSummary {
  feed: { cursor: number; feedUp: boolean; lagSeconds: number };
  totals: Omit<AnalyticsSite, 'gateway' | 'site'> & { approvalRate: number | null };
  sites: AnalyticsSite[];
}

const KINDS: Record<string, string> = { pending: 'approved', post: 'captured', void: 'voided' };

/** What the ledger's own tables say, in the shape of summary.sites (without latency estimates). */
export async function ledgerTruth(url: string): Promise<Omit<AnalyticsSite, 'latency'>[]> {
  const json = async <T>(sql: string): Promise<T[]> =>
    JSON.parse((await queryText(url, `SELECT coalesce(json_agg(x), '[]') FROM (${sql}) x`)) || '[]') as T[];
  const holds = await json<{
    g: string;
    s: string;
    c: string;
    type: string;
    n: number;
    si: number;
    amt: number;
  }>(
    `SELECT coalesce(p.metadata, t.metadata)->>'gateway' g, coalesce(p.metadata, t.metadata)->>'site' s,
            t.currency c, t.type, count(*) n, count(*) FILTER (WHERE t.stand_in) si, sum(t.amount) amt
       FROM transfers t LEFT JOIN transfers p ON p.id = t.pending_id
      WHERE t.type IN ('pending', 'post', 'void') AND coalesce(p.metadata, t.metadata) ? 'gateway'
      GROUP BY 1, 2, 3, 4`,
  );
  const declines = await json<{ g: string; s: string; c: string; reason: string; n: number; amt: number }>(
    `SELECT metadata->>'gateway' g, metadata->>'site' s, currency c, reason, count(*) n, sum(amount) amt
       FROM declines GROUP BY 1, 2, 3, 4`,
  );
  const sites = new Map<string, Omit<AnalyticsSite, 'latency'>>();
  const at = (gateway: string, site: string) => {
    const k = `${gateway} ${site}`;
    let v = sites.get(k);
    if (!v)
      sites.set(
        k,
        (v = {
          gateway,
          site,
          approvals: 0,
          standInApprovals: 0,
          declines: 0,
          declineReasons: {},
          volumes: {},
        }),
      );
    return v;
  };
  const addVolume = (
    v: Omit<AnalyticsSite, 'latency'>,
    currency: string,
    kind: string,
    count: number,
    amountMinor: number,
  ) => {
    const byKind = (v.volumes[currency] ??= {});
    const old = byKind[kind] ?? { count: 0, amountMinor: 0 };
    byKind[kind] = { count: old.count + count, amountMinor: old.amountMinor + amountMinor };
  };
  for (const h of holds) {
    const v = at(h.g, h.s);
    if (h.type === 'pending') {
      v.approvals += h.n;
      v.standInApprovals += h.si;
    }
    addVolume(v, h.c, KINDS[h.type] as string, h.n, h.amt);
  }
  for (const d of declines) {
    const v = at(d.g, d.s);
    v.declines += d.n;
    v.declineReasons[d.reason] = (v.declineReasons[d.reason] ?? 0) + d.n;
    addVolume(v, d.c, 'declined', d.n, d.amt);
  }
  return [...sites.values()].sort((a, b) => `${a.gateway} ${a.site}`.localeCompare(`${b.gateway} ${b.site}`));
}

/** The counted part of summary.sites (the estimates, latency and approval rate, are checked apart). */
export const countedSites = (sites: readonly AnalyticsSite[]): Omit<AnalyticsSite, 'latency'>[] =>
  sites.map(({ latency: _latency, approvalRate: _rate, ...rest }) => ({
    ...rest,
    volumes: sortKeys(rest.volumes),
  }));
function sortKeys<T>(o: Record<string, Record<string, T>>): Record<string, Record<string, T>> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((c) => [
        c,
        Object.fromEntries(
          Object.keys(o[c] ?? {})
            .sort()
            .map((k) => [k, (o[c] ?? {})[k] as T]),
        ),
      ]),
  );
}

/** The ledger's last event: the feed cursor analytics has once it has caught up. */
export async function ledgerHead(url: string): Promise<number> {
  return Number(
    await queryText(
      url,
      'SELECT greatest((SELECT coalesce(max(seq), 0) FROM transfers), (SELECT coalesce(max(seq), 0) FROM declines))',
    ),
  );
}
