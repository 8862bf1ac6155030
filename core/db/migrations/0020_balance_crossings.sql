-- A charge that takes a wallet's usable credit below the account's low-balance alert or its
-- automatic top-up threshold is recorded here by the database, in the charge's own statement
-- (a trigger on the posting, which sees the wallet as the charge left it, under its lock): the
-- charge stays one round trip, and the crossing cannot be lost with a crash. What follows — the
-- panel's balance.low, the top-up job — is sent from the record, in one transaction that also
-- removes it (see core/accounts/after-debit.ts).
CREATE TABLE balance_crossings (
  transfer_id  bigint PRIMARY KEY REFERENCES ledger_transfers (id),
  account_id   bigint NOT NULL REFERENCES billing_accounts (id),
  alert        boolean NOT NULL,
  auto_topup   boolean NOT NULL,
  usable_minor bigint NOT NULL,
  alert_minor  bigint,
  currency     char(3) NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (alert OR auto_topup)
);

CREATE FUNCTION note_balance_crossing() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_usable  bigint;
  v_account bigint;
  v_alert   bigint;
  v_auto    bigint;
BEGIN
  SELECT w.balance_minor - w.held_minor - w.min_balance_minor, b.id, b.low_balance_threshold_minor, t.threshold_minor
    INTO v_usable, v_account, v_alert, v_auto
    FROM ledger_accounts w
    JOIN billing_accounts b ON b.wallet_id = w.id
    LEFT JOIN auto_topups t ON t.account_id = b.id AND t.enabled
   WHERE w.id = NEW.debit_account_id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  -- Only the crossing counts (before ≥ threshold > after), not every charge below it.
  IF (v_alert IS NOT NULL AND v_usable < v_alert AND v_usable + NEW.amount_minor >= v_alert)
     OR (v_auto IS NOT NULL AND v_usable < v_auto AND v_usable + NEW.amount_minor >= v_auto) THEN
    INSERT INTO balance_crossings (transfer_id, account_id, alert, auto_topup, usable_minor, alert_minor, currency)
    VALUES (NEW.id, v_account,
            v_alert IS NOT NULL AND v_usable < v_alert AND v_usable + NEW.amount_minor >= v_alert,
            v_auto IS NOT NULL AND v_usable < v_auto AND v_usable + NEW.amount_minor >= v_auto,
            v_usable, v_alert, NEW.currency);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_transfers_crossing AFTER INSERT ON ledger_transfers
  FOR EACH ROW WHEN (NEW.kind = 'charge') EXECUTE FUNCTION note_balance_crossing();

-- Whether a charge just made was recorded as a crossing: volatile, so that in the charge's own
-- statement it sees what the trigger inserted.
CREATE FUNCTION balance_crossed(p_transfer bigint) RETURNS boolean
LANGUAGE sql VOLATILE AS $$ SELECT EXISTS (SELECT 1 FROM balance_crossings WHERE transfer_id = p_transfer) $$;
