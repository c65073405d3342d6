// The analytics schema: the feed cursor, per-minute and all-time aggregates, and the open
// authorization holds their posts and voids are attributed to. Amount and latency sums are
// numeric (no overflow can wedge the follower); counts are bigint. Every aggregate only grows, in
// the transaction that moves the cursor (store.ts).
export const version = 1;
export const name = 'aggregates';

export const sql = String.raw`
CREATE TABLE feed_cursor (
  one           boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq           bigint NOT NULL CHECK (seq >= 0),
  last_event_at timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO feed_cursor (one, seq) VALUES (true, 0);

CREATE TABLE counts_by_minute (
  minute             timestamptz NOT NULL,
  gateway            text NOT NULL,
  site               text NOT NULL,
  approvals          bigint NOT NULL CHECK (approvals >= 0),
  stand_in_approvals bigint NOT NULL CHECK (stand_in_approvals >= 0 AND stand_in_approvals <= approvals),
  declines           bigint NOT NULL CHECK (declines >= 0),
  latency_count      bigint NOT NULL CHECK (latency_count >= 0),
  latency_sum_ms     numeric(38, 0) NOT NULL CHECK (latency_sum_ms >= 0),
  PRIMARY KEY (minute, gateway, site)
);
CREATE TABLE counts_total (
  gateway            text NOT NULL,
  site               text NOT NULL,
  approvals          bigint NOT NULL CHECK (approvals >= 0),
  stand_in_approvals bigint NOT NULL CHECK (stand_in_approvals >= 0 AND stand_in_approvals <= approvals),
  declines           bigint NOT NULL CHECK (declines >= 0),
  latency_count      bigint NOT NULL CHECK (latency_count >= 0),
  latency_sum_ms     numeric(38, 0) NOT NULL CHECK (latency_sum_ms >= 0),
  PRIMARY KEY (gateway, site)
);

CREATE TABLE declines_by_minute (
  minute  timestamptz NOT NULL,
  gateway text NOT NULL,
  site    text NOT NULL,
  reason  text NOT NULL,
  count   bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (minute, gateway, site, reason)
);
CREATE TABLE declines_total (
  gateway text NOT NULL,
  site    text NOT NULL,
  reason  text NOT NULL,
  count   bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (gateway, site, reason)
);

CREATE TABLE volumes_by_minute (
  minute       timestamptz NOT NULL,
  gateway      text NOT NULL,
  site         text NOT NULL,
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  kind         text NOT NULL CHECK (kind IN ('approved', 'captured', 'voided', 'expired', 'declined')),
  count        bigint NOT NULL CHECK (count > 0),
  amount_minor numeric(38, 0) NOT NULL CHECK (amount_minor > 0),
  PRIMARY KEY (minute, gateway, site, currency, kind)
);
CREATE TABLE volumes_total (
  gateway      text NOT NULL,
  site         text NOT NULL,
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  kind         text NOT NULL CHECK (kind IN ('approved', 'captured', 'voided', 'expired', 'declined')),
  count        bigint NOT NULL CHECK (count > 0),
  amount_minor numeric(38, 0) NOT NULL CHECK (amount_minor > 0),
  PRIMARY KEY (gateway, site, currency, kind)
);

-- bucket: index into LATENCY_BUCKETS_MS (latency-buckets.ts); the last is the overflow bucket.
CREATE TABLE latency_by_minute (
  minute  timestamptz NOT NULL,
  gateway text NOT NULL,
  site    text NOT NULL,
  bucket  smallint NOT NULL CHECK (bucket BETWEEN 0 AND 13),
  count   bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (minute, gateway, site, bucket)
);
CREATE TABLE latency_total (
  gateway text NOT NULL,
  site    text NOT NULL,
  bucket  smallint NOT NULL CHECK (bucket BETWEEN 0 AND 13),
  count   bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (gateway, site, bucket)
);

-- Authorization holds not yet posted or voided; a row leaves when its post or void is counted.
CREATE TABLE open_holds (
  id       text PRIMARY KEY,
  gateway  text NOT NULL,
  site     text NOT NULL,
  currency text NOT NULL,
  seq      bigint NOT NULL
);
`;
