-- Secrets the module generates for itself when the provider configures none (e.g. the key that
-- signs customer sessions), kept here so every instance sharing the database uses the same one.
CREATE TABLE module_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
