-- Refunds of a charge, whole or in parts, back to the wallet it was taken from.
--
-- What has been refunded of a charge is one row per refunded charge, and its CHECK bounds it: never
-- more than the charge. ledger_refund_charge locks that row, then raises it by a guarded UPDATE
-- in the same statement that books the refund, so refunds of one charge queue on the row and,
-- however many run at once, together never exceed the charge. No bound is read first and written
-- later by the application.

CREATE TABLE charge_refund_totals (
  charge_transfer_id bigint PRIMARY KEY REFERENCES ledger_transfers (id),
  charged_minor      bigint NOT NULL CHECK (charged_minor > 0),
  refunded_minor     bigint NOT NULL DEFAULT 0,
  CONSTRAINT charge_refund_totals_within_charge CHECK (refunded_minor >= 0 AND refunded_minor <= charged_minor)
);

-- The total only grows, and only by refunds; the charge it belongs to never changes.
CREATE FUNCTION charge_refund_totals_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.refunded_minor < OLD.refunded_minor
     OR (NEW.charge_transfer_id, NEW.charged_minor) IS DISTINCT FROM (OLD.charge_transfer_id, OLD.charged_minor) THEN
    PERFORM saldo_raise('IMMUTABLE_RECORD', jsonb_build_object('table', TG_TABLE_NAME, 'operation', TG_OP));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER charge_refund_totals_only_grow BEFORE UPDATE OR DELETE ON charge_refund_totals
  FOR EACH ROW EXECUTE FUNCTION charge_refund_totals_guard();

-- One row per refund: which charge it gave back, and the charge's refunded total right after it
-- (so a replayed refund answers exactly as the first time).
CREATE TABLE charge_refunds (
  refund_transfer_id   bigint PRIMARY KEY REFERENCES ledger_transfers (id),
  charge_transfer_id   bigint NOT NULL REFERENCES charge_refund_totals (charge_transfer_id),
  amount_minor         bigint NOT NULL CHECK (amount_minor > 0),
  refunded_after_minor bigint NOT NULL CHECK (refunded_after_minor >= amount_minor),
  reason               text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX charge_refunds_by_charge ON charge_refunds (charge_transfer_id);
CREATE TRIGGER charge_refunds_immutable BEFORE UPDATE OR DELETE ON charge_refunds
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();

-- Refunds p_amount (NULL: all that is left) of the charge p_charge from p_debit (revenue) to the
-- wallet p_wallet, once per idempotency key, in one round trip. Only a charge or capture that
-- debited p_wallet qualifies: another wallet's charge is not found. The key is looked up after
-- the lock, so a concurrent request with the same key that committed first is replayed here
-- rather than refunded again.
CREATE FUNCTION ledger_refund_charge(p_key text, p_hash text, p_charge bigint, p_wallet bigint, p_amount bigint,
                                     p_debit bigint, p_reason text, p_metadata jsonb,
                                     OUT transfer_id bigint, OUT created_at timestamptz, OUT replayed boolean,
                                     OUT debit_balance bigint, OUT credit_balance bigint,
                                     OUT currency text, OUT amount bigint, OUT charged bigint, OUT refunded bigint)
LANGUAGE plpgsql AS $$
DECLARE
  c ledger_transfers;
  t ledger_transfers;
  v_total charge_refund_totals;
BEGIN
  SELECT * INTO c FROM ledger_transfers x
   WHERE x.id = p_charge AND x.debit_account_id = p_wallet AND x.kind IN ('charge', 'capture');
  IF NOT FOUND THEN
    PERFORM saldo_raise('CHARGE_NOT_FOUND', jsonb_build_object('charge', p_charge::text));
  END IF;
  currency := c.currency;
  charged := c.amount_minor;

  INSERT INTO charge_refund_totals (charge_transfer_id, charged_minor) VALUES (c.id, c.amount_minor)
  ON CONFLICT (charge_transfer_id) DO NOTHING;
  SELECT * INTO v_total FROM charge_refund_totals x WHERE x.charge_transfer_id = c.id FOR UPDATE;

  SELECT * INTO t FROM ledger_transfers x WHERE x.idempotency_key = p_key;
  IF FOUND THEN
    SELECT * INTO transfer_id, created_at, replayed, debit_balance, credit_balance FROM ledger_replay(t, p_hash);
    amount := t.amount_minor;
    SELECT r.refunded_after_minor INTO refunded FROM charge_refunds r WHERE r.refund_transfer_id = t.id;
    RETURN;
  END IF;

  amount := coalesce(p_amount, v_total.charged_minor - v_total.refunded_minor);
  UPDATE charge_refund_totals x SET refunded_minor = x.refunded_minor + amount
   WHERE x.charge_transfer_id = c.id AND amount > 0 AND x.refunded_minor + amount <= x.charged_minor
  RETURNING x.refunded_minor INTO refunded;
  IF NOT FOUND THEN
    PERFORM saldo_raise('REFUND_EXCEEDS_CHARGE', jsonb_build_object(
      'charge', c.id::text, 'refundable', (v_total.charged_minor - v_total.refunded_minor)::text,
      'requested', amount::text, 'currency', c.currency));
  END IF;

  SELECT * INTO transfer_id, created_at, replayed, debit_balance, credit_balance
    FROM ledger_transfer(p_key, p_hash, 'refund', p_debit, p_wallet, amount, c.currency, p_reason, p_metadata);
  INSERT INTO charge_refunds (refund_transfer_id, charge_transfer_id, amount_minor, refunded_after_minor, reason)
  VALUES (transfer_id, c.id, amount, refunded, p_reason);
END $$;
