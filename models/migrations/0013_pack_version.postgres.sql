-- The data version (migration 9) also moves with every table the quarterly
-- review pack reads that it did not cover, so that a pack built once is served
-- until a write could change it: the governance reviews and their actions
-- (decisions, commentary), lessons, phase changes, service levels, the
-- published packs, and the cost records and SLA results themselves (their maintained
-- totals moved it already, but not a corrected vendor fee or actual that leaves
-- them alone, which the pack prints as a credit or a breach). The scale seed
-- sets these triggers aside for its load like the others (seed_upkeep.go).
-- The triggers are migration 9's, on more tables.

CREATE TRIGGER data_version_governance_reviews AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON governance_reviews FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_review_actions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON review_actions FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_lessons AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lessons FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_phase_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON phase_changes FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_service_levels AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_levels FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_published_packs AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON published_packs FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_cost_records AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cost_records FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_sla_measurements AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sla_measurements FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
