-- Responses of the JSON API's POST requests, by Idempotency-Key, so a retried request gets the
-- first answer instead of acting twice. Keys are scoped to the API key that sent them.

CREATE TABLE api_requests (
  scope           text NOT NULL,
  idempotency_key text NOT NULL,
  fingerprint     text NOT NULL,
  status          integer,
  response        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, idempotency_key),
  CHECK ((status IS NULL) = (response IS NULL))
);
