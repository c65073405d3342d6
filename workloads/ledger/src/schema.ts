// The ledger's schema, as numbered migrations. Each invariant of docs/ledger.md is enforced here,
// by PostgreSQL, and marked where it is (I1..I7): the service's code checks the same rules first so
// it can answer precisely, but a bug in the code cannot break them.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, transfers, declines, fences',
    sql: `
CREATE SEQUENCE ledger_events_seq;

CREATE TABLE accounts (
  -- Ids: '+' and a length check, not '{1,128}', which PostgreSQL's regex engine matches ~40x slower
  -- (it is checked on every balance update).
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]+$' AND length(id) <= 128),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
  credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
  -- I7: integer minor units, never negative as columns.
  debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- I3: a flagged account never goes negative (pending debits count against it).
  CONSTRAINT debits_within_credits CHECK (
    NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT credits_within_debits CHECK (
    NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted)
);

CREATE TABLE transfers (
  -- I1: a transfer id is applied at most once.
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]+$' AND length(id) <= 128),
  seq bigint NOT NULL UNIQUE DEFAULT nextval('ledger_events_seq'),
  type text NOT NULL CHECK (type IN ('single', 'pending', 'post', 'void')),
  debit_account_id text NOT NULL REFERENCES accounts (id),
  credit_account_id text NOT NULL REFERENCES accounts (id),
  -- I7: positive integer minor units. For post: the amount posted; for void: the amount released.
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  pending_id text REFERENCES transfers (id),
  timeout_seconds integer NOT NULL DEFAULT 0 CHECK (timeout_seconds >= 0),
  expires_at timestamptz,
  state text NOT NULL CHECK (state IN ('posted', 'pending', 'voided', 'expired')),
  is_expiry boolean NOT NULL DEFAULT false,
  stand_in boolean NOT NULL DEFAULT false,
  epoch bigint NOT NULL CHECK (epoch >= 0),
  member text NOT NULL,
  fingerprint text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((type IN ('post', 'void')) = (pending_id IS NOT NULL)),
  CHECK (type = 'pending' OR state = 'posted'),
  CHECK (type = 'pending' OR timeout_seconds = 0),
  CHECK (NOT is_expiry OR type = 'void')
);
-- I4: a pending transfer has at most one resolution (post or void).
CREATE UNIQUE INDEX transfers_one_resolution ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_pending_expiry ON transfers (expires_at) WHERE state = 'pending' AND expires_at IS NOT NULL;

-- I2: balances change only here, by the same amount on one debit and one credit column.
-- Each account is locked by its own UPDATE, the two in id order, so two transactions moving money
-- between the same accounts in opposite directions never deadlock (the foreign-key checks before
-- this trigger only take KEY SHARE, which the UPDATEs' NO KEY UPDATE locks do not conflict with).
-- "AND currency = NEW.currency" makes a currency mismatch update nothing, before any CHECK runs.
CREATE FUNCTION ledger_apply_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p transfers%ROWTYPE;
  pending_delta bigint := 0;
  posted_delta bigint := 0;
  debit_found boolean;
  credit_found boolean;
BEGIN
  IF NEW.type = 'single' THEN
    posted_delta := NEW.amount;
  ELSIF NEW.type = 'pending' THEN
    pending_delta := NEW.amount;
  ELSE
    SELECT * INTO p FROM transfers WHERE id = NEW.pending_id FOR NO KEY UPDATE;
    IF NOT FOUND OR p.type <> 'pending' THEN
      RAISE EXCEPTION 'pending transfer % not found', NEW.pending_id USING ERRCODE = 'P0001', HINT = 'PendingNotFound';
    END IF;
    IF p.state <> 'pending' THEN
      RAISE EXCEPTION 'pending transfer % is already %', p.id, p.state USING ERRCODE = 'P0001', HINT = 'PendingAlreadyResolved';
    END IF;
    IF p.debit_account_id <> NEW.debit_account_id OR p.credit_account_id <> NEW.credit_account_id OR p.currency <> NEW.currency THEN
      RAISE EXCEPTION 'transfer % does not match pending %', NEW.id, p.id USING ERRCODE = 'P0001', HINT = 'PendingMismatch';
    END IF;
    IF NEW.type = 'post' AND p.expires_at IS NOT NULL AND p.expires_at <= now() THEN
      RAISE EXCEPTION 'pending transfer % expired', p.id USING ERRCODE = 'P0001', HINT = 'PendingExpired';
    END IF;
    IF NEW.amount > p.amount OR (NEW.type = 'void' AND NEW.amount <> p.amount) THEN
      RAISE EXCEPTION 'amount % exceeds pending %', NEW.amount, p.amount USING ERRCODE = 'P0001', HINT = 'AmountExceedsPending';
    END IF;
    pending_delta := -p.amount;
    IF NEW.type = 'post' THEN
      posted_delta := NEW.amount;
    END IF;
    UPDATE transfers SET state = CASE WHEN NEW.type = 'post' THEN 'posted'
      WHEN NEW.is_expiry THEN 'expired' ELSE 'voided' END
      WHERE id = p.id;
  END IF;
  IF NEW.debit_account_id < NEW.credit_account_id THEN
    UPDATE accounts SET debits_pending = debits_pending + pending_delta, debits_posted = debits_posted + posted_delta
      WHERE id = NEW.debit_account_id AND currency = NEW.currency;
    debit_found := FOUND;
    IF debit_found THEN
      UPDATE accounts SET credits_pending = credits_pending + pending_delta, credits_posted = credits_posted + posted_delta
        WHERE id = NEW.credit_account_id AND currency = NEW.currency;
      credit_found := FOUND;
    END IF;
  ELSE
    UPDATE accounts SET credits_pending = credits_pending + pending_delta, credits_posted = credits_posted + posted_delta
      WHERE id = NEW.credit_account_id AND currency = NEW.currency;
    credit_found := FOUND;
    IF credit_found THEN
      UPDATE accounts SET debits_pending = debits_pending + pending_delta, debits_posted = debits_posted + posted_delta
        WHERE id = NEW.debit_account_id AND currency = NEW.currency;
      debit_found := FOUND;
    END IF;
  END IF;
  IF NOT coalesce(debit_found AND credit_found, false) THEN
    RAISE EXCEPTION 'transfer % currency % differs from its accounts', NEW.id, NEW.currency
      USING ERRCODE = 'P0001', HINT = 'CurrencyMismatch';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER transfers_apply AFTER INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION ledger_apply_transfer();

-- I2: no balance, currency or flag change except from the transfer trigger (trigger depth > 1).
CREATE FUNCTION ledger_guard_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'accounts are never deleted (account %)', OLD.id USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  IF pg_trigger_depth() < 2 AND (
      NEW.debits_pending, NEW.debits_posted, NEW.credits_pending, NEW.credits_posted, NEW.currency,
      NEW.debits_must_not_exceed_credits, NEW.credits_must_not_exceed_debits, NEW.id)
    IS DISTINCT FROM (
      OLD.debits_pending, OLD.debits_posted, OLD.credits_pending, OLD.credits_posted, OLD.currency,
      OLD.debits_must_not_exceed_credits, OLD.credits_must_not_exceed_debits, OLD.id) THEN
    RAISE EXCEPTION 'account % changes only through transfers', OLD.id USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER accounts_guard BEFORE UPDATE OR DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();
-- Accounts start at zero: balances come only from transfers.
CREATE FUNCTION ledger_guard_new_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.debits_pending, NEW.debits_posted, NEW.credits_pending, NEW.credits_posted) <> (0, 0, 0, 0) THEN
    RAISE EXCEPTION 'account % must start with zero balances', NEW.id USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER accounts_start_at_zero BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION ledger_guard_new_account();

-- I4, I5: transfers never change, but for the one resolution of a pending transfer (from the
-- transfer trigger), and are never deleted.
CREATE FUNCTION ledger_guard_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'transfers are never truncated' USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'transfers are never deleted (transfer %)', OLD.id USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  IF pg_trigger_depth() < 2 OR OLD.type <> 'pending' OR OLD.state <> 'pending'
     OR NEW.state NOT IN ('posted', 'voided', 'expired')
     OR (NEW.id, NEW.seq, NEW.type, NEW.debit_account_id, NEW.credit_account_id, NEW.amount, NEW.currency,
         NEW.pending_id, NEW.timeout_seconds, NEW.expires_at, NEW.is_expiry, NEW.stand_in, NEW.epoch, NEW.member,
         NEW.fingerprint, NEW.metadata, NEW.created_at)
        IS DISTINCT FROM
        (OLD.id, OLD.seq, OLD.type, OLD.debit_account_id, OLD.credit_account_id, OLD.amount, OLD.currency,
         OLD.pending_id, OLD.timeout_seconds, OLD.expires_at, OLD.is_expiry, OLD.stand_in, OLD.epoch, OLD.member,
         OLD.fingerprint, OLD.metadata, OLD.created_at) THEN
    RAISE EXCEPTION 'transfer % is immutable (state %)', OLD.id, OLD.state USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER transfers_guard BEFORE UPDATE OR DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION ledger_guard_transfer();
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_guard_transfer();

-- Declines move no money; they share the event sequence so the feed is one ordered stream.
CREATE TABLE declines (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]+$' AND length(id) <= 128),
  seq bigint NOT NULL UNIQUE DEFAULT nextval('ledger_events_seq'),
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason text NOT NULL CHECK (reason ~ '^[A-Za-z]{1,64}$'),
  member text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- I6: the highest epoch seen per writer: scope 'ledger' (member '*') for the ledger itself,
-- scope 'authorization' per replaced member.
CREATE TABLE fences (
  scope text NOT NULL CHECK (scope IN ('ledger', 'authorization')),
  member text NOT NULL,
  epoch bigint NOT NULL CHECK (epoch >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, member)
);
INSERT INTO fences (scope, member, epoch) VALUES ('ledger', '*', 0);
-- The fence only rises.
CREATE FUNCTION ledger_guard_fence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.epoch < OLD.epoch THEN
    RAISE EXCEPTION 'fence %/% only rises', OLD.scope, OLD.member USING ERRCODE = 'P0001', HINT = 'Immutable';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fences_rise BEFORE UPDATE OR DELETE ON fences FOR EACH ROW EXECUTE FUNCTION ledger_guard_fence();
`,
  },
];
