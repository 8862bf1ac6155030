-- Delivery of outbox events to their targets: the in-process handlers and each webhook URL.
-- The deliveries of an event are created by a trigger in the very transaction that writes the
-- event — not later from a cursor over `seq`, which would skip an event whose transaction took a
-- lower seq but committed after a higher one. Deliveries are claimed with FOR UPDATE SKIP LOCKED,
-- so any number of app instances share the work and each delivery is attempted by one of them at
-- a time. Every attempt is recorded.

-- The targets, synced from the configuration at start-up; `types` NULL means every type.
CREATE TABLE event_targets (
  target text PRIMARY KEY,
  types  text[],
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE event_deliveries (
  event_id        uuid NOT NULL REFERENCES events (id),
  target          text NOT NULL,
  seq             bigint NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  delivered_at    timestamptz,
  last_error      text,
  PRIMARY KEY (event_id, target)
);
CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at, seq) WHERE status = 'pending';

CREATE TABLE event_delivery_attempts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id    uuid NOT NULL,
  target      text NOT NULL,
  attempt     integer NOT NULL,
  ok          boolean NOT NULL,
  http_status integer,
  error       text,
  duration_ms integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (event_id, target) REFERENCES event_deliveries (event_id, target)
);

CREATE FUNCTION events_fan_out() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_deliveries (event_id, target, seq)
  SELECT NEW.id, t.target, NEW.seq FROM event_targets t
   WHERE t.active AND (t.types IS NULL OR NEW.type = ANY (t.types));
  RETURN NULL;
END $$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_fan_out();
