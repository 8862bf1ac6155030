-- Acme Pay's records, in this plugin's own tables (prefixed, so they never meet another
-- plugin's). Saldo applies this file at start-up and records it under the plugin's code; an edit
-- after it was applied stops start-up, so changes go into a new, higher-numbered file.
CREATE TABLE acme_sessions (
  id           text PRIMARY KEY,
  -- Saldo's payment id: Acme's idempotency key, so one payment is one session.
  payment_id   uuid NOT NULL UNIQUE,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency     char(3) NOT NULL,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'failed', 'canceled', 'expired')),
  locale       text NOT NULL,
  page_url     text NOT NULL,
  return_url   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE acme_refunds (
  -- Saldo's refund id: one refund however often it is asked for.
  refund_id    text PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  session_id   text NOT NULL REFERENCES acme_sessions (id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  created_at   timestamptz NOT NULL DEFAULT now()
);
