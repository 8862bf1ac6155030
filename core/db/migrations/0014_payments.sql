-- Payments: money a gateway collects for an account — a top-up, the rest of an order, a renewal,
-- later an invoice. A payment is recorded before the gateway is called (so a crash leaves a row to
-- reconcile, never a charge nobody knows of), moves through one lifecycle (core/payments/
-- lifecycle.ts), and is booked once: the transfer that credits the wallet carries the payment as
-- its idempotency key, and `transfer_id` is set in the same transaction.
CREATE TABLE payments (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      bigint NOT NULL REFERENCES billing_accounts (id),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash    text NOT NULL,
  gateway         text NOT NULL,
  purpose         text NOT NULL CHECK (purpose IN ('top_up', 'order', 'renewal', 'invoice')),
  order_id        bigint REFERENCES orders (id),
  service_id      bigint REFERENCES services (id),
  period_start    timestamptz,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  currency        char(3) NOT NULL,
  status          text NOT NULL DEFAULT 'created' CHECK (status IN (
                    'created', 'pending', 'requires_action', 'succeeded', 'declined', 'failed', 'canceled',
                    'partially_refunded', 'refunded')),
  -- The processor's id for it, once known: a notification names the payment by it.
  reference       text,
  -- While the customer has a step to take (a hosted page, 3-D Secure): where to send them back.
  redirect_url    text,
  instructions    jsonb,
  reason          text,
  method_id       uuid,
  save_method     boolean NOT NULL DEFAULT false,
  off_session     boolean NOT NULL DEFAULT false,
  -- The terms and conditions the customer accepted with it.
  terms_version   text,
  refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
  transfer_id     bigint REFERENCES ledger_transfers (id),
  -- Set in the transaction that records the intent, just before the gateway is called: from then
  -- on the processor may know of the payment, so only reconciliation (asking it) may close it.
  called_at       timestamptz,
  -- The last call's answer was lost (timeout, crash): listed for operators until reconciled.
  outcome_unknown boolean NOT NULL DEFAULT false,
  checked_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, idempotency_key),
  UNIQUE (gateway, reference),
  CHECK ((purpose = 'order') = (order_id IS NOT NULL)),
  CHECK ((purpose = 'renewal') = (service_id IS NOT NULL AND period_start IS NOT NULL)),
  CHECK ((status IN ('succeeded', 'partially_refunded', 'refunded')) = (transfer_id IS NOT NULL))
);
CREATE INDEX payments_open ON payments (called_at) WHERE status IN ('created', 'pending', 'requires_action');
CREATE INDEX payments_by_account ON payments (account_id, created_at DESC);
CREATE INDEX payments_by_order ON payments (order_id) WHERE order_id IS NOT NULL;

-- Every change of a payment's state, and every outcome ignored because it would have moved the
-- payment backwards (a "failed" after "succeeded"): the payment's history, for operators.
CREATE TABLE payment_transitions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id  uuid NOT NULL REFERENCES payments (id),
  from_status text NOT NULL,
  to_status   text NOT NULL,
  applied     boolean NOT NULL,
  source      text NOT NULL CHECK (source IN ('start', 'return', 'webhook', 'reconcile', 'refund', 'operator')),
  detail      jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_transitions_by_payment ON payment_transitions (payment_id, id);
CREATE TRIGGER payment_transitions_immutable BEFORE UPDATE OR DELETE ON payment_transitions
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();

-- Notifications already taken from each processor, by the processor's own event id: the row is
-- inserted in the transaction that applies the notification, so the same event sent five times,
-- at once or days apart, is applied once.
CREATE TABLE gateway_events (
  gateway     text NOT NULL,
  event_id    text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
  payment_id  uuid REFERENCES payments (id),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gateway, event_id)
);

-- Payment methods a processor keeps for an account: its token and what the customer recognises
-- the method by. Never a card number or a security code.
CREATE TABLE payment_methods (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id bigint NOT NULL REFERENCES billing_accounts (id),
  gateway    text NOT NULL,
  token      text NOT NULL,
  brand      text NOT NULL,
  last4      char(4) NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month  smallint NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year   smallint NOT NULL CHECK (exp_year BETWEEN 2000 AND 2100),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  UNIQUE (gateway, token)
);
CREATE INDEX payment_methods_by_account ON payment_methods (account_id) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (account_id) WHERE is_default AND removed_at IS NULL;
ALTER TABLE payments ADD FOREIGN KEY (method_id) REFERENCES payment_methods (id);
