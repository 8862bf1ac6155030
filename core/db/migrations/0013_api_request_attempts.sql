-- Which attempt of an API request owns its row. A request whose process died, or whose database
-- went away, leaves its row unfinished; the next request with that key takes the row over under a
-- new attempt id, and only the owning attempt records the outcome — so a late writer that lost
-- its hold on the key (its lock connection dropped while it ran) cannot overwrite the answer.

ALTER TABLE api_requests ADD COLUMN attempt uuid;
