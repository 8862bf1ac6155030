-- Postings describe themselves as data (core/ledger/posting-description.ts): a kind and its
-- parameters under `description` in the transfer's metadata, rendered in the reader's language.
-- The entries view exposes it beside the text, so a history row reads both in one statement;
-- transfers made before carry none (NULL) and keep showing their text. The column is added at
-- the end: CREATE OR REPLACE VIEW may only append columns.
CREATE OR REPLACE VIEW ledger_entries AS
  SELECT t.id AS transfer_id, t.debit_account_id AS account_id, t.currency, -t.amount_minor AS amount_minor,
         t.debit_balance_after AS balance_after_minor, t.kind, t.description, t.created_at,
         t.metadata -> 'description' AS described
    FROM ledger_transfers t
  UNION ALL
  SELECT t.id, t.credit_account_id, t.currency, t.amount_minor, t.credit_balance_after, t.kind, t.description, t.created_at,
         t.metadata -> 'description'
    FROM ledger_transfers t;
