-- Billing accounts: one per host-panel customer, each with its own wallet in the ledger. The
-- credit limit is not stored here: it is the wallet's bound (min_balance = -credit_limit), so the
-- number the database enforces and the number shown can never disagree.

CREATE SEQUENCE customer_number_seq START 1001;

CREATE TABLE billing_accounts (
  id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_ref                text NOT NULL UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 200),
  customer_number             text NOT NULL UNIQUE,
  name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email                       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  currency                    char(3) NOT NULL,
  locale                      text NOT NULL CHECK (locale IN ('en', 'fr', 'es')),
  country                     char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  vat_id                      text CHECK (length(vat_id) <= 20),
  payment_mode                text NOT NULL,
  wallet_id                   bigint NOT NULL UNIQUE,
  low_balance_threshold_minor bigint CHECK (low_balance_threshold_minor >= 0),
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT billing_accounts_wallet_fk FOREIGN KEY (wallet_id, currency) REFERENCES ledger_accounts (id, currency)
);
