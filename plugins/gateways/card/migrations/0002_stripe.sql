-- The Stripe processor's own records, beside Saldo's tables (Saldo never reads them).

-- One Stripe Customer per Saldo account, by customer number: saved cards are attached to it, and
-- a saved card is charged later together with it.
CREATE TABLE card_stripe_customers (
  customer_number text PRIMARY KEY,
  customer_id     text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Each payment as the processor was asked for it, written before Stripe is called and given
-- Stripe's id as soon as Stripe answers — even when Saldo stopped waiting for the answer. With
-- no row, the call never began; a row without a reference is a call whose answer never came,
-- looked up at Stripe by its metadata (a direct charge: among its customer's intents).
CREATE TABLE card_stripe_payments (
  payment_id  uuid PRIMARY KEY,
  flow        text NOT NULL CHECK (flow IN ('checkout', 'direct')),
  customer_id text,
  reference   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
