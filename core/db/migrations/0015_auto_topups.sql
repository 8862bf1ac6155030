-- Automatic top-up per account: when a charge takes usable credit below `threshold`, a job (sent
-- in that charge's transaction) collects `amount` from the saved card, off-session. At most
-- `payments.autoTopUpDailyCap` attempts a day; a card that keeps failing stops there, and the
-- customer and the panel are told.
CREATE TABLE auto_topups (
  account_id      bigint PRIMARY KEY REFERENCES billing_accounts (id),
  enabled         boolean NOT NULL DEFAULT false,
  threshold_minor bigint NOT NULL CHECK (threshold_minor >= 0),
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  method_id       uuid REFERENCES payment_methods (id),
  -- The last attempt that failed, shown to the customer until a later one succeeds.
  last_failure    text,
  last_failure_at timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT enabled OR method_id IS NOT NULL)
);
CREATE INDEX payments_off_session_by_day ON payments (account_id, created_at) WHERE off_session;

-- Event types may have an underscore in their first part too (`auto_topup.failed`).
ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type ~ '^[a-z][a-z_]*(\.[a-z_]+)+$');
