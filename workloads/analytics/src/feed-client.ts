// One long-poll of the ledger's change feed: GET /v1/events?after=&limit=&timeoutSeconds=. The
// request gets the wait plus a margin before it is abandoned, so a ledger that hangs is noticed.
import { parseFeedPage, type FeedPage } from './feed-event.js';

export class FeedUnavailable extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FeedUnavailable';
  }
}

export interface FeedRequest {
  readonly baseUrl: string;
  readonly after: number;
  readonly limit: number;
  readonly waitSeconds: number;
  readonly signal: AbortSignal;
}

const MARGIN_MS = 10_000;

export async function fetchFeedPage(r: FeedRequest): Promise<FeedPage> {
  const url = `${r.baseUrl}/v1/events?after=${r.after}&limit=${r.limit}&timeoutSeconds=${r.waitSeconds}`;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.any([r.signal, AbortSignal.timeout(r.waitSeconds * 1000 + MARGIN_MS)]),
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new FeedUnavailable(`the ledger did not answer (${cause})`);
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 200) {
    let reason = '';
    try {
      reason = (JSON.parse(text) as { error?: { reason?: string } }).error?.reason ?? '';
    } catch {
      // not JSON
    }
    throw new FeedUnavailable(
      `the ledger answered ${res.status}${reason ? ` ${reason.slice(0, 60)}` : ''}`,
      res.status,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new FeedUnavailable('the ledger answered with a body that is not JSON');
  }
  return parseFeedPage(body, r.after);
}
