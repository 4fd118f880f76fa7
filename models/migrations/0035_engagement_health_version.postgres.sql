-- An engagement's health is the risk register's too: a risk's quick action
-- refreshes its engagement's health (the colour, the reasons, the day), many
-- times a minute, and nothing else of the engagement. So an update of the
-- health columns moves risk_version (migration 34), and an update of any other
-- column data_version, as before; an insert or a delete moves data_version.
-- Values cached at the others' version must not read the health columns (the
-- dashboard's red and amber list is loaded with the risks'); the colour counts
-- come from engagement_totals, whose writes move data_version. A column added
-- to engagements must join the list below (TestEngagementHealthMovesTheRiskVersion
-- fails until it does): a write of it would otherwise move no version.

DROP TRIGGER data_version_engagements ON engagements;
CREATE TRIGGER data_version_engagements AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, code, name, model, tower, vendor_id, business_unit, delivery_location, sponsor, manager_id, phase, start_date, contract_end, planned_transfer, actual_transfer, contract_value, currency, pricing_model, vendor_headcount, client_headcount, description, closed_on, version, created_at, updated_at ON engagements FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_engagements_health AFTER UPDATE OF health, health_reasons, health_on ON engagements FOR EACH STATEMENT EXECUTE FUNCTION risk_version_bump();
