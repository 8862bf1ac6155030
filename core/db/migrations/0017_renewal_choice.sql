-- A service's auto_renew is now the customer's own choice, NULL until they make one: renewal
-- from a prepaid balance then follows the provider's default (billing.balanceRenewals), and an
-- account on credit renews as before. Existing services keep the value they had, so an upgrade
-- stops no renewal that was running.
ALTER TABLE services ALTER COLUMN auto_renew DROP DEFAULT, ALTER COLUMN auto_renew DROP NOT NULL;
