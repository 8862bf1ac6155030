-- Hand-off links already opened. A link opens a session once, so one that leaks (into a log,
-- the browser's history, a Referer) gives nothing afterwards, whichever instance it reaches.
-- The link's id is the key: of two openings at once, one inserts the row and the other finds it.
-- A row is of no use once its link has expired; openings delete such rows a few at a time.
CREATE TABLE used_handoff_links (
  link_id    text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX used_handoff_links_expiry ON used_handoff_links (expires_at);
