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
-- PostgreSQL: statement triggers on the cost records, as risk_cells has
-- (migration 8): a bulk load is one grouped upsert a statement, in key order,
-- so writers never wait on each other's rows in opposite orders; and a row
-- trigger on an engagement moved to another vendor.

CREATE INDEX engagements_delivery ON engagements (vendor_id, tower, delivery_location, phase) WHERE closed_on IS NULL;
CREATE TABLE vendor_month_totals (
  month DATE NOT NULL, vendor_id BIGINT NOT NULL, currency TEXT NOT NULL,
  records BIGINT NOT NULL DEFAULT 0, vendor_fees BIGINT NOT NULL DEFAULT 0, credits BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (month, vendor_id, currency));
INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
  SELECT c.month, e.vendor_id, c.currency, COUNT(*), SUM(c.vendor_fees), SUM(c.credits)
  FROM cost_records c JOIN engagements e ON e.id = c.engagement_id GROUP BY c.month, e.vendor_id, c.currency;
CREATE FUNCTION vendor_month_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
    SELECT month, vendor_id, currency, SUM(n), SUM(fees), SUM(credits) FROM (
      SELECT r.month, e.vendor_id, r.currency, 1 AS n, r.vendor_fees AS fees, r.credits AS credits FROM new_rows r JOIN engagements e ON e.id = r.engagement_id
    ) x GROUP BY month, vendor_id, currency HAVING SUM(n) <> 0 OR SUM(fees) <> 0 OR SUM(credits) <> 0 ORDER BY month, vendor_id, currency
    ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = vendor_month_totals.records + excluded.records, vendor_fees = vendor_month_totals.vendor_fees + excluded.vendor_fees, credits = vendor_month_totals.credits + excluded.credits
  ; ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
    SELECT month, vendor_id, currency, SUM(n), SUM(fees), SUM(credits) FROM (
      SELECT r.month, e.vendor_id, r.currency, -1 AS n, -r.vendor_fees AS fees, -r.credits AS credits FROM old_rows r JOIN engagements e ON e.id = r.engagement_id
    ) x GROUP BY month, vendor_id, currency HAVING SUM(n) <> 0 OR SUM(fees) <> 0 OR SUM(credits) <> 0 ORDER BY month, vendor_id, currency
    ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = vendor_month_totals.records + excluded.records, vendor_fees = vendor_month_totals.vendor_fees + excluded.vendor_fees, credits = vendor_month_totals.credits + excluded.credits
  ; ELSE
    INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
    SELECT month, vendor_id, currency, SUM(n), SUM(fees), SUM(credits) FROM (
      SELECT r.month, e.vendor_id, r.currency, 1 AS n, r.vendor_fees AS fees, r.credits AS credits FROM new_rows r JOIN engagements e ON e.id = r.engagement_id
      UNION ALL SELECT r.month, e.vendor_id, r.currency, -1 AS n, -r.vendor_fees AS fees, -r.credits AS credits FROM old_rows r JOIN engagements e ON e.id = r.engagement_id
    ) x GROUP BY month, vendor_id, currency HAVING SUM(n) <> 0 OR SUM(fees) <> 0 OR SUM(credits) <> 0 ORDER BY month, vendor_id, currency
    ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = vendor_month_totals.records + excluded.records, vendor_fees = vendor_month_totals.vendor_fees + excluded.vendor_fees, credits = vendor_month_totals.credits + excluded.credits
  ; END IF
  ; RETURN NULL
; END $$;
CREATE TRIGGER vendor_month_totals_insert AFTER INSERT ON cost_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vendor_month_totals_apply();
CREATE TRIGGER vendor_month_totals_update AFTER UPDATE ON cost_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vendor_month_totals_apply();
CREATE TRIGGER vendor_month_totals_delete AFTER DELETE ON cost_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION vendor_month_totals_apply();
CREATE FUNCTION vendor_month_totals_vendor() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
  SELECT month, vendor_id, currency, SUM(n), SUM(fees), SUM(credits) FROM (
    SELECT month, OLD.vendor_id AS vendor_id, currency, -1 AS n, -vendor_fees AS fees, -credits AS credits FROM cost_records WHERE engagement_id = NEW.id
    UNION ALL SELECT month, NEW.vendor_id, currency, 1, vendor_fees, credits FROM cost_records WHERE engagement_id = NEW.id
  ) x GROUP BY month, vendor_id, currency ORDER BY month, vendor_id, currency
  ON CONFLICT (month, vendor_id, currency) DO UPDATE SET records = vendor_month_totals.records + excluded.records, vendor_fees = vendor_month_totals.vendor_fees + excluded.vendor_fees, credits = vendor_month_totals.credits + excluded.credits
  ; RETURN NULL
; END $$;
CREATE TRIGGER vendor_month_totals_vendor AFTER UPDATE OF vendor_id ON engagements FOR EACH ROW WHEN (OLD.vendor_id IS DISTINCT FROM NEW.vendor_id) EXECUTE FUNCTION vendor_month_totals_vendor();

CREATE TRIGGER data_version_vendor_month_totals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vendor_month_totals FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
