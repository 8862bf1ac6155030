-- When a renewal stays unpaid past the grace period, the panel is asked once to suspend the
-- service; this records that it was asked.
ALTER TABLE service_renewals ADD COLUMN suspend_requested_at timestamptz;
