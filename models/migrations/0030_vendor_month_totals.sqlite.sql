-- The vendors' spend per month and currency, maintained on every write as the
-- dashboard's other sums are (migration 7): vendor fees and service credits of
-- the cost records, by the vendor of each record's engagement. The vendor
-- dependency (the dashboard's and the vendors page's shares of the last 12
-- months' spend) reads a few hundred of these rows instead of joining a year of
-- cost records to their engagements. Triggers keep it true in the transaction of
-- every write, whoever writes (forms, imports, seeds, an engagement moved to
-- another vendor); records counts the cost records, so a group an edit emptied
-- reads as absent. Its writes move the data version (migration 9): the
-- dashboard is cached. The engagements in delivery per vendor, tower and
-- location (the single-vendor towers and locations) are read from an index of
-- the open engagements alone, in that order.
--
-- SQLite has row triggers only: each takes a record out of the group it leaves
-- and adds it to the one it enters.

CREATE INDEX engagements_delivery ON engagements (vendor_id, tower, delivery_location, phase) WHERE closed_on IS NULL;
CREATE TABLE vendor_month_totals (
  month DATE NOT NULL, vendor_id BIGINT NOT NULL, currency TEXT NOT NULL,
  records BIGINT NOT NULL DEFAULT 0, vendor_fees BIGINT NOT NULL DEFAULT 0, credits BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (month, vendor_id, currency));
INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
  SELECT c.month, e.vendor_id, c.currency, COUNT(*), SUM(c.vendor_fees), SUM(c.credits)
  FROM cost_records c JOIN engagements e ON e.id = c.engagement_id GROUP BY c.month, e.vendor_id, c.currency;

CREATE TRIGGER vendor_month_totals_ai AFTER INSERT ON cost_records BEGIN INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT new.month, vendor_id, new.currency, 1, new.vendor_fees, new.credits FROM engagements WHERE id = new.engagement_id ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; END;
CREATE TRIGGER vendor_month_totals_ad AFTER DELETE ON cost_records BEGIN INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT old.month, vendor_id, old.currency, -1, -old.vendor_fees, -old.credits FROM engagements WHERE id = old.engagement_id ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; END;
CREATE TRIGGER vendor_month_totals_au AFTER UPDATE OF engagement_id, month, currency, vendor_fees, credits ON cost_records BEGIN INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT old.month, vendor_id, old.currency, -1, -old.vendor_fees, -old.credits FROM engagements WHERE id = old.engagement_id ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT new.month, vendor_id, new.currency, 1, new.vendor_fees, new.credits FROM engagements WHERE id = new.engagement_id ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; END;
CREATE TRIGGER vendor_month_totals_vendor AFTER UPDATE OF vendor_id ON engagements WHEN old.vendor_id IS NOT new.vendor_id BEGIN INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT month, old.vendor_id, currency, -COUNT(*), -SUM(vendor_fees), -SUM(credits) FROM cost_records WHERE engagement_id = new.id GROUP BY month, currency ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits) SELECT month, new.vendor_id, currency, COUNT(*), SUM(vendor_fees), SUM(credits) FROM cost_records WHERE engagement_id = new.id GROUP BY month, currency ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = records + excluded.records, vendor_fees = vendor_fees + excluded.vendor_fees, credits = credits + excluded.credits; END;

CREATE TRIGGER data_version_vendor_month_totals_insert AFTER INSERT ON vendor_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_vendor_month_totals_update AFTER UPDATE ON vendor_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_vendor_month_totals_delete AFTER DELETE ON vendor_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
