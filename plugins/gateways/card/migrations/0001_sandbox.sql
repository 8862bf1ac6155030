-- The sandbox processor's own records: what a real processor keeps on its side. Created through
-- the SDK's plugin migrations, beside Saldo's tables; Saldo never reads them.
CREATE TABLE card_sandbox_intents (
  id            text PRIMARY KEY,
  payment_id    uuid NOT NULL UNIQUE,
  amount_minor  bigint NOT NULL,
  currency      char(3) NOT NULL,
  status        text NOT NULL CHECK (status IN ('requires_payment_method', 'requires_action', 'succeeded', 'declined', 'canceled')),
  reason        text,
  locale        text NOT NULL,
  return_url    text NOT NULL,
  -- Where the gateway's routes are served, and its notifications go (`…/webhook`).
  gateway_url   text NOT NULL,
  save_method   boolean NOT NULL DEFAULT false,
  brand         text,
  last4         char(4),
  exp_month     smallint,
  exp_year      smallint,
  -- Which test card decides the outcome; never the number itself.
  behaviour     text,
  token         text,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Cards the sandbox keeps for later payments, by token.
CREATE TABLE card_sandbox_tokens (
  token      text PRIMARY KEY,
  brand      text NOT NULL,
  last4      char(4) NOT NULL,
  exp_month  smallint NOT NULL,
  exp_year   smallint NOT NULL,
  behaviour  text NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE card_sandbox_refunds (
  id          text PRIMARY KEY,
  refund_id   text NOT NULL UNIQUE,
  intent_id   text NOT NULL REFERENCES card_sandbox_intents (id),
  amount_minor bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
