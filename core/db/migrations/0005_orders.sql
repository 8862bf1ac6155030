-- The host panel's order flow: orders (one per checkout idempotency key and account), their
-- priced lines, the services paid lines become, and each service's renewals (one per period).

CREATE TABLE orders (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id            bigint NOT NULL REFERENCES billing_accounts (id),
  idempotency_key       text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash          text NOT NULL,
  status                text NOT NULL CHECK (status IN ('paid', 'awaiting_payment', 'cancelled')),
  currency              char(3) NOT NULL,
  use_balance           boolean NOT NULL,
  paid_from_balance     boolean NOT NULL,
  subtotal_minor        bigint NOT NULL CHECK (subtotal_minor >= 0),
  discount_minor        bigint NOT NULL CHECK (discount_minor >= 0),
  total_minor           bigint NOT NULL,
  balance_applied_minor bigint NOT NULL CHECK (balance_applied_minor >= 0),
  amount_due_minor      bigint NOT NULL CHECK (amount_due_minor >= 0),
  charge_transfer_id    bigint REFERENCES ledger_transfers (id),
  hold_id               bigint REFERENCES ledger_holds (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  paid_at               timestamptz,
  UNIQUE (account_id, idempotency_key),
  CHECK (total_minor = subtotal_minor - discount_minor),
  CHECK (amount_due_minor = total_minor - balance_applied_minor),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);

CREATE TABLE order_lines (
  order_id         bigint NOT NULL REFERENCES orders (id),
  line_no          smallint NOT NULL,
  product_code     text NOT NULL,
  cycle            text NOT NULL,
  quantity         integer NOT NULL CHECK (quantity > 0),
  unit_price_minor bigint NOT NULL,
  subtotal_minor   bigint NOT NULL,
  discount_minor   bigint NOT NULL,
  total_minor      bigint NOT NULL,
  -- [{ code, reasonKey, params, amount }] as priced, so an order always reads as it was sold.
  adjustments      jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (order_id, line_no),
  CHECK (total_minor = subtotal_minor - discount_minor)
);

CREATE TABLE services (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id   bigint NOT NULL REFERENCES billing_accounts (id),
  order_id     bigint NOT NULL,
  line_no      smallint NOT NULL,
  product_code text NOT NULL,
  cycle        text NOT NULL,
  quantity     integer NOT NULL,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  auto_renew   boolean NOT NULL DEFAULT true,
  started_at   timestamptz NOT NULL,
  next_due_at  timestamptz NOT NULL,
  cancelled_at timestamptz,
  UNIQUE (order_id, line_no),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX services_due ON services (next_due_at) WHERE status = 'active';
CREATE INDEX services_by_account ON services (account_id);

-- One row per (service, period): a second run, a second worker or a rerun after a crash finds
-- the period taken and creates nothing twice.
CREATE TABLE service_renewals (
  service_id   bigint NOT NULL REFERENCES services (id),
  period_start timestamptz NOT NULL,
  period_end   timestamptz NOT NULL,
  status       text NOT NULL CHECK (status IN ('renewed', 'awaiting_payment')),
  amount_minor bigint NOT NULL,
  currency     char(3) NOT NULL,
  transfer_id  bigint REFERENCES ledger_transfers (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  renewed_at   timestamptz,
  PRIMARY KEY (service_id, period_start),
  CHECK ((status = 'renewed') = (transfer_id IS NOT NULL))
);

-- The outbox: events for the host panel, written in the same transaction as the change that
-- caused them — never lost after a commit, never sent for a rolled-back change.
CREATE TABLE events (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  type       text NOT NULL CHECK (type ~ '^[a-z]+(\.[a-z_]+)+$'),
  account_id bigint REFERENCES billing_accounts (id),
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION saldo_refuse_change();
