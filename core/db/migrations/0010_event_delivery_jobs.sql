-- Event deliveries become jobs of the job system (pg-boss), sent by the transaction that writes
-- the event: that transaction commits the event, one delivery row per target and one job per
-- delivery, or none of them. The job system claims, retries with backoff and spreads the work
-- over instances; this table stays the record an operator reads: where each event went, how
-- many attempts it took, why the last one failed, and which deliveries gave up.
DROP TRIGGER events_fan_out ON events;
DROP FUNCTION events_fan_out();
DROP TABLE event_targets;
DROP INDEX event_deliveries_due;

ALTER TABLE event_deliveries
  DROP COLUMN next_attempt_at,
  DROP COLUMN locked_until,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE INDEX event_deliveries_failed ON event_deliveries (seq) WHERE status = 'failed';
