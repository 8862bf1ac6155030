-- Money given back to where a payment came from (the card), whole or in part. A refund reserves
-- its amount on the payment (`payments.refunded_minor`, bounded by the payment's amount in the
-- guarded UPDATE that records it) and on the customer's balance (a hold) before the gateway is
-- called; the gateway's answer either books it (`payment_refund`, from the balance back to the
-- gateway clearing account) or releases both.
CREATE TABLE payment_refunds (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id      uuid NOT NULL REFERENCES payments (id),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  request_hash    text NOT NULL,
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  currency        char(3) NOT NULL,
  reason          text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  reference       text,
  failure         text,
  hold_id         bigint REFERENCES ledger_holds (id),
  transfer_id     bigint REFERENCES ledger_transfers (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  settled_at      timestamptz,
  UNIQUE (payment_id, idempotency_key),
  CHECK ((status = 'succeeded') = (transfer_id IS NOT NULL))
);
