-- The ledger: double-entry transfers between ledger accounts.
--
-- Sign convention: an entry's amount is positive when the account is credited and negative when
-- it is debited, so the entries of every transfer sum to zero and an account's balance is the sum
-- of its entries. A customer's wallet is credited by a top-up and debited by a charge.
--
-- Wallets (one per billing account) cache their balance and the funds held for pending holds in
-- their row, and the CHECK below bounds them: balance - held >= min_balance (0 for prepaid,
-- -credit_limit for postpaid). Every statement that moves money re-evaluates the bound on the row
-- it locks, so concurrency can never overdraw a wallet. System accounts (revenue, tax, gateway
-- clearing, discounts) are append-only: their row is never updated and their balance is derived
-- from their entries, so no single row is written by every charge.
--
-- Business errors are raised with SQLSTATE SL001, the error code as message and JSON parameters as
-- detail; the application maps them to BillingError.

CREATE FUNCTION saldo_raise(p_code text, p_params jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'SL001', MESSAGE = p_code, DETAIL = p_params::text;
END $$;

CREATE FUNCTION saldo_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM saldo_raise('IMMUTABLE_RECORD', jsonb_build_object('table', TG_TABLE_NAME, 'operation', TG_OP));
  RETURN NULL;
END $$;

CREATE TABLE ledger_accounts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code              text NOT NULL UNIQUE,
  kind              text NOT NULL CHECK (kind IN ('wallet', 'system')),
  currency          char(3) NOT NULL,
  balance_minor     bigint NOT NULL DEFAULT 0,
  held_minor        bigint NOT NULL DEFAULT 0 CHECK (held_minor >= 0),
  min_balance_minor bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, currency),
  CONSTRAINT ledger_accounts_system_uncached CHECK (kind = 'wallet' OR (balance_minor = 0 AND held_minor = 0 AND min_balance_minor IS NULL)),
  CONSTRAINT ledger_accounts_wallet_bounded CHECK (kind = 'system' OR min_balance_minor IS NOT NULL),
  CONSTRAINT ledger_accounts_within_bound CHECK (kind = 'system' OR balance_minor - held_minor >= min_balance_minor)
);
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();

CREATE TABLE ledger_holds (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  request_hash    text NOT NULL,
  account_id      bigint NOT NULL,
  currency        char(3) NOT NULL,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
  captured_minor  bigint CHECK (captured_minor > 0 AND captured_minor <= amount_minor),
  description     text NOT NULL DEFAULT '',
  metadata        jsonb NOT NULL DEFAULT '{}',
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  settled_at      timestamptz,
  CONSTRAINT ledger_holds_account_fk FOREIGN KEY (account_id, currency) REFERENCES ledger_accounts (id, currency),
  CHECK ((status = 'captured') = (captured_minor IS NOT NULL)),
  CHECK ((status = 'pending') = (settled_at IS NULL))
);
CREATE INDEX ledger_holds_pending ON ledger_holds (account_id, expires_at) WHERE status = 'pending';

-- A hold moves once, from pending to one final state; nothing else about it ever changes.
CREATE FUNCTION ledger_holds_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'pending' OR NEW.status = 'pending'
     OR (NEW.id, NEW.idempotency_key, NEW.request_hash, NEW.account_id, NEW.currency, NEW.amount_minor, NEW.expires_at, NEW.created_at)
        IS DISTINCT FROM
        (OLD.id, OLD.idempotency_key, OLD.request_hash, OLD.account_id, OLD.currency, OLD.amount_minor, OLD.expires_at, OLD.created_at) THEN
    PERFORM saldo_raise('IMMUTABLE_RECORD', jsonb_build_object('table', TG_TABLE_NAME, 'operation', TG_OP));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_holds_one_way BEFORE UPDATE OR DELETE ON ledger_holds
  FOR EACH ROW EXECUTE FUNCTION ledger_holds_guard();

CREATE TABLE ledger_transfers (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key      text NOT NULL UNIQUE,
  request_hash         text NOT NULL,
  kind                 text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
  debit_account_id     bigint NOT NULL,
  credit_account_id    bigint NOT NULL,
  amount_minor         bigint NOT NULL CHECK (amount_minor > 0),
  currency             char(3) NOT NULL,
  -- Wallet sides only: the balance right after this transfer, for statements with a running
  -- balance and for identical idempotent replies.
  debit_balance_after  bigint,
  credit_balance_after bigint,
  -- A capture names the hold it settles; unique, so a hold is captured at most once.
  hold_id              bigint REFERENCES ledger_holds (id),
  description          text NOT NULL DEFAULT '',
  metadata             jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ledger_transfers_two_sides CHECK (debit_account_id <> credit_account_id)
);
CREATE UNIQUE INDEX ledger_transfers_one_capture ON ledger_transfers (hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX ledger_transfers_by_debit ON ledger_transfers (debit_account_id, id);
CREATE INDEX ledger_transfers_by_credit ON ledger_transfers (credit_account_id, id);

CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION saldo_refuse_change();

-- Each transfer is one posting: it debits one account and credits another by the same amount,
-- so it is balanced by construction (a movement with more legs — a charge split into revenue
-- and tax — is several postings written by one function call, atomically). The entries view
-- shows each posting's two legs, credit positive and debit negative: the entries of every
-- transfer sum to zero and an account's balance is the sum of its entries.
CREATE VIEW ledger_entries AS
  SELECT t.id AS transfer_id, t.debit_account_id AS account_id, t.currency, -t.amount_minor AS amount_minor,
         t.debit_balance_after AS balance_after_minor, t.kind, t.description, t.created_at
    FROM ledger_transfers t
  UNION ALL
  SELECT t.id, t.credit_account_id, t.currency, t.amount_minor, t.credit_balance_after, t.kind, t.description, t.created_at
    FROM ledger_transfers t;

-- Transfers do not reference ledger_accounts by foreign key: every posting would then lock the
-- shared revenue row (FOR KEY SHARE), a hot row in disguise. Instead the ledger functions check
-- both sides' existence and currency, and an account's identity can never change or vanish.
CREATE TRIGGER ledger_accounts_fixed_identity BEFORE UPDATE OF id, code, kind, currency ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();

-- Releases the expired pending holds of one wallet; returns how many. Called lazily by the
-- operations below when a wallet's bound refuses them (so expired reservations never block a
-- payment) and by the periodic sweep. Concurrent callers cannot release a hold twice: the UPDATE
-- re-checks status = 'pending' on the row it locks.
CREATE FUNCTION ledger_expire_holds(p_account bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
  v_total bigint;
BEGIN
  WITH expired AS (
    UPDATE ledger_holds SET status = 'expired', settled_at = now()
     WHERE account_id = p_account AND status = 'pending' AND expires_at <= now()
    RETURNING amount_minor
  )
  SELECT count(*), coalesce(sum(amount_minor), 0) INTO v_count, v_total FROM expired;
  IF v_count > 0 THEN
    UPDATE ledger_accounts SET held_minor = held_minor - v_total WHERE id = p_account;
  END IF;
  RETURN v_count;
END $$;

-- Names what is wrong with a side of a posting the guarded UPDATE did not move.
CREATE FUNCTION ledger_refuse(p_account bigint, p_currency text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  a ledger_accounts;
BEGIN
  SELECT * INTO a FROM ledger_accounts WHERE id = p_account;
  IF NOT FOUND OR a.currency <> p_currency THEN
    PERFORM saldo_raise('LEDGER_ACCOUNT_INVALID', jsonb_build_object('account', p_account, 'reason', 'unknown account or other currency'));
  END IF;
  PERFORM saldo_raise('INSUFFICIENT_FUNDS', jsonb_build_object(
    'account', p_account,
    'available', (a.balance_minor - a.held_minor - a.min_balance_minor)::text,
    'currency', a.currency));
END $$;

-- A system account is append-only: nothing to update, only check it exists in this currency.
CREATE FUNCTION ledger_is_system(p_account bigint, p_currency text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM ledger_accounts WHERE id = p_account AND currency = p_currency AND kind = 'system')
$$;

-- Debits a wallet by p_amount while releasing p_release of its held funds (a capture), in one
-- guarded UPDATE: the bound is checked on the locked row, never read first and written later.
-- balance is the new balance (NULL for a system account); refused says the bound said no.
CREATE FUNCTION ledger_debit(p_account bigint, p_currency text, p_amount bigint, p_release bigint,
                             OUT balance bigint, OUT refused boolean)
LANGUAGE plpgsql AS $$
BEGIN
  refused := false;
  FOR attempt IN 1..2 LOOP
    UPDATE ledger_accounts
       SET balance_minor = balance_minor - p_amount, held_minor = held_minor - p_release
     WHERE id = p_account AND kind = 'wallet' AND currency = p_currency
       AND balance_minor - p_amount - (held_minor - p_release) >= min_balance_minor
    RETURNING balance_minor INTO balance;
    IF FOUND OR ledger_is_system(p_account, p_currency) THEN RETURN; END IF;
    -- Refused by the bound: free expired holds and try once more before saying no.
    EXIT WHEN ledger_expire_holds(p_account) = 0;
  END LOOP;
  refused := true;
END $$;

-- Called when the bound refused a request: if a concurrent request with the same key committed
-- while this one waited for the wallet's lock, the funds went to that very request, so this one
-- is its replay, not a refusal. Raise what the unique index would have raised; the caller's one
-- retry answers it from the stored result.
CREATE FUNCTION ledger_refuse_unless_raced(p_taken boolean, p_constraint text, p_account bigint, p_currency text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_taken THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation', CONSTRAINT = p_constraint,
                          MESSAGE = 'idempotency key taken by a concurrent request';
  END IF;
  PERFORM ledger_refuse(p_account, p_currency);
END $$;

-- Credits a wallet; returns its new balance, or NULL for a system account.
CREATE FUNCTION ledger_credit(p_account bigint, p_currency text, p_amount bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_balance bigint;
BEGIN
  UPDATE ledger_accounts SET balance_minor = balance_minor + p_amount
   WHERE id = p_account AND kind = 'wallet' AND currency = p_currency
  RETURNING balance_minor INTO v_balance;
  IF NOT FOUND AND NOT ledger_is_system(p_account, p_currency) THEN
    PERFORM ledger_refuse(p_account, p_currency);
  END IF;
  RETURN v_balance;
END $$;

-- The answer to a request whose key was already used: the first result when the parameters
-- are the same, IDEMPOTENCY_CONFLICT otherwise.
CREATE FUNCTION ledger_replay(t ledger_transfers, p_hash text,
                              OUT transfer_id bigint, OUT created_at timestamptz, OUT replayed boolean,
                              OUT debit_balance bigint, OUT credit_balance bigint)
LANGUAGE plpgsql AS $$
BEGIN
  IF t.request_hash <> p_hash THEN
    PERFORM saldo_raise('IDEMPOTENCY_CONFLICT', jsonb_build_object('key', t.idempotency_key));
  END IF;
  transfer_id := t.id;
  created_at := t.created_at;
  replayed := true;
  debit_balance := t.debit_balance_after;
  credit_balance := t.credit_balance_after;
END $$;

-- Moves p_amount from p_debit to p_credit once per idempotency key, in one round trip.
-- A key already used is answered from the stored transfer. Two requests racing with a new key
-- both move money, but the unique index lets only the first insert commit: the second fails
-- whole (its balance updates roll back with it) and the caller retries it once as a replay.
-- p_hold and p_release are for captures: the hold settled and the held funds released.
CREATE FUNCTION ledger_transfer(p_key text, p_hash text, p_kind text, p_debit bigint, p_credit bigint, p_amount bigint,
                                p_currency text, p_description text, p_metadata jsonb,
                                p_hold bigint DEFAULT NULL, p_release bigint DEFAULT 0,
                                OUT transfer_id bigint, OUT created_at timestamptz, OUT replayed boolean,
                                OUT debit_balance bigint, OUT credit_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
  t ledger_transfers;
  v_refused boolean;
BEGIN
  SELECT * INTO t FROM ledger_transfers WHERE idempotency_key = p_key;
  IF FOUND THEN
    SELECT * INTO transfer_id, created_at, replayed, debit_balance, credit_balance FROM ledger_replay(t, p_hash);
    RETURN;
  END IF;
  IF p_debit = p_credit THEN
    PERFORM saldo_raise('LEDGER_ACCOUNT_INVALID', jsonb_build_object('account', p_credit, 'reason', 'same account on both sides'));
  END IF;

  -- Two wallets are locked in id order, so opposite transfers between them cannot deadlock.
  IF p_credit < p_debit THEN credit_balance := ledger_credit(p_credit, p_currency, p_amount); END IF;
  SELECT * INTO debit_balance, v_refused FROM ledger_debit(p_debit, p_currency, p_amount, p_release);
  IF v_refused THEN
    PERFORM ledger_refuse_unless_raced(EXISTS (SELECT 1 FROM ledger_transfers WHERE idempotency_key = p_key),
                                       'ledger_transfers_idempotency_key_key', p_debit, p_currency);
  END IF;
  IF p_credit > p_debit THEN credit_balance := ledger_credit(p_credit, p_currency, p_amount); END IF;

  INSERT INTO ledger_transfers AS x (idempotency_key, request_hash, kind, debit_account_id, credit_account_id, amount_minor,
                                     currency, debit_balance_after, credit_balance_after, hold_id, description, metadata)
  VALUES (p_key, p_hash, p_kind, p_debit, p_credit, p_amount, p_currency, debit_balance, credit_balance, p_hold,
          p_description, p_metadata)
  RETURNING x.id, x.created_at INTO transfer_id, created_at;
  replayed := false;
END $$;

-- Reserves p_amount of a wallet until p_expires_at: counted against what the wallet can spend,
-- not yet moved. Same idempotency rules as ledger_transfer.
CREATE FUNCTION ledger_hold(p_key text, p_hash text, p_account bigint, p_amount bigint, p_currency text,
                            p_expires_at timestamptz, p_description text, p_metadata jsonb) RETURNS ledger_holds
LANGUAGE plpgsql AS $$
DECLARE
  h ledger_holds;
BEGIN
  SELECT * INTO h FROM ledger_holds WHERE idempotency_key = p_key;
  IF FOUND THEN
    IF h.request_hash <> p_hash THEN
      PERFORM saldo_raise('IDEMPOTENCY_CONFLICT', jsonb_build_object('key', p_key));
    END IF;
    RETURN h;
  END IF;

  FOR attempt IN 1..2 LOOP
    UPDATE ledger_accounts SET held_minor = held_minor + p_amount
     WHERE id = p_account AND kind = 'wallet' AND currency = p_currency
       AND balance_minor - held_minor - p_amount >= min_balance_minor;
    EXIT WHEN FOUND;
    IF attempt = 2 OR ledger_expire_holds(p_account) = 0 THEN
      PERFORM ledger_refuse_unless_raced(EXISTS (SELECT 1 FROM ledger_holds WHERE idempotency_key = p_key),
                                         'ledger_holds_idempotency_key_key', p_account, p_currency);
    END IF;
  END LOOP;

  INSERT INTO ledger_holds (idempotency_key, request_hash, account_id, currency, amount_minor, expires_at, description, metadata)
  VALUES (p_key, p_hash, p_account, p_currency, p_amount, p_expires_at, p_description, p_metadata)
  RETURNING * INTO h;
  RETURN h;
END $$;

-- Takes p_amount (at most the held amount) of a pending hold to p_credit; the rest of the hold is
-- released in the same statement. Once per hold and once per idempotency key.
CREATE FUNCTION ledger_capture(p_key text, p_hash text, p_hold bigint, p_amount bigint, p_credit bigint,
                               p_description text, p_metadata jsonb,
                               OUT transfer_id bigint, OUT created_at timestamptz, OUT replayed boolean,
                               OUT debit_balance bigint, OUT credit_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
  h ledger_holds;
  t ledger_transfers;
BEGIN
  -- Lock the hold: a concurrent capture, void or expiry of it waits here.
  SELECT * INTO h FROM ledger_holds WHERE id = p_hold FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM saldo_raise('HOLD_NOT_FOUND', jsonb_build_object('hold', p_hold));
  END IF;
  SELECT * INTO t FROM ledger_transfers WHERE idempotency_key = p_key;
  IF FOUND THEN
    SELECT * INTO transfer_id, created_at, replayed, debit_balance, credit_balance FROM ledger_replay(t, p_hash);
    RETURN;
  END IF;
  IF h.status <> 'pending' THEN
    PERFORM saldo_raise('HOLD_NOT_PENDING', jsonb_build_object('hold', p_hold, 'status', h.status));
  END IF;
  IF h.expires_at <= now() THEN
    PERFORM saldo_raise('HOLD_EXPIRED', jsonb_build_object('hold', p_hold));
  END IF;
  IF p_amount > h.amount_minor THEN
    PERFORM saldo_raise('CAPTURE_EXCEEDS_HOLD', jsonb_build_object('hold', p_hold, 'held', h.amount_minor::text, 'requested', p_amount::text, 'currency', h.currency));
  END IF;

  UPDATE ledger_holds SET status = 'captured', captured_minor = p_amount, settled_at = now() WHERE id = h.id;
  SELECT * INTO transfer_id, created_at, replayed, debit_balance, credit_balance
    FROM ledger_transfer(p_key, p_hash, 'capture', h.account_id, p_credit, p_amount, h.currency, p_description, p_metadata,
                         h.id, h.amount_minor);
END $$;

-- Releases a pending hold. Voiding a voided or expired hold changes nothing and returns it (the
-- funds are already free); voiding a captured one is refused.
CREATE FUNCTION ledger_void(p_hold bigint) RETURNS ledger_holds
LANGUAGE plpgsql AS $$
DECLARE
  h ledger_holds;
BEGIN
  UPDATE ledger_holds SET status = 'voided', settled_at = now()
   WHERE id = p_hold AND status = 'pending'
  RETURNING * INTO h;
  IF FOUND THEN
    UPDATE ledger_accounts SET held_minor = held_minor - h.amount_minor WHERE id = h.account_id;
    RETURN h;
  END IF;

  SELECT * INTO h FROM ledger_holds WHERE id = p_hold;
  IF NOT FOUND THEN
    PERFORM saldo_raise('HOLD_NOT_FOUND', jsonb_build_object('hold', p_hold));
  ELSIF h.status = 'captured' THEN
    PERFORM saldo_raise('HOLD_NOT_PENDING', jsonb_build_object('hold', p_hold, 'status', h.status));
  END IF;
  RETURN h;
END $$;
