-- Every change of an account's payment mode, kept for the provider's records: who asked, when,
-- between which modes, the credit limit given, and whether it happened outside the window after
-- the monthly invoice run (when the provider is told it is best done).

CREATE TABLE payment_mode_changes (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id         bigint NOT NULL REFERENCES billing_accounts (id),
  from_mode          text NOT NULL,
  to_mode            text NOT NULL,
  credit_limit_minor bigint NOT NULL CHECK (credit_limit_minor >= 0),
  currency           char(3) NOT NULL,
  changed_by         text NOT NULL CHECK (length(changed_by) BETWEEN 1 AND 200),
  outside_window     boolean NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (from_mode <> to_mode)
);
CREATE INDEX payment_mode_changes_by_account ON payment_mode_changes (account_id, id);
CREATE TRIGGER payment_mode_changes_immutable BEFORE UPDATE OR DELETE ON payment_mode_changes
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();
