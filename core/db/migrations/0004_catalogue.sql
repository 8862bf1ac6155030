-- The catalogue the host panel registers: products with a name per language, a price per
-- billing cycle, a tax category and the percentage off when paid from balance.

CREATE TABLE products (
  code                     text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  names                    jsonb NOT NULL CHECK (jsonb_typeof(names -> 'en') = 'string'),
  currency                 char(3) NOT NULL,
  tax_category             text NOT NULL DEFAULT 'standard' CHECK (tax_category ~ '^[a-z][a-z0-9_-]{0,39}$'),
  balance_discount_percent numeric(5, 2) NOT NULL DEFAULT 0 CHECK (balance_discount_percent BETWEEN 0 AND 25),
  active                   boolean NOT NULL DEFAULT true,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_prices (
  product_code text NOT NULL REFERENCES products (code) ON DELETE CASCADE,
  cycle        text NOT NULL CHECK (cycle IN ('monthly', 'quarterly', 'semi-annual', 'annual')),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  PRIMARY KEY (product_code, cycle)
);
