-- The data version (migration 9) also moves with every table the quarterly
-- review pack reads that it did not cover, so that a pack built once is served
-- until a write could change it: the governance reviews and their actions
-- (decisions, commentary), lessons, phase changes, service levels, the
-- published packs, and the cost records and SLA results themselves (their maintained
-- totals moved it already, but not a corrected vendor fee or actual that leaves
-- them alone, which the pack prints as a credit or a breach). The scale seed
-- sets these triggers aside for its load like the others (seed_upkeep.go).
-- The triggers are migration 9's, on more tables.

CREATE TRIGGER data_version_governance_reviews_insert AFTER INSERT ON governance_reviews BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_governance_reviews_update AFTER UPDATE ON governance_reviews BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_governance_reviews_delete AFTER DELETE ON governance_reviews BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_review_actions_insert AFTER INSERT ON review_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_review_actions_update AFTER UPDATE ON review_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_review_actions_delete AFTER DELETE ON review_actions BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_lessons_insert AFTER INSERT ON lessons BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_lessons_update AFTER UPDATE ON lessons BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_lessons_delete AFTER DELETE ON lessons BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_phase_changes_insert AFTER INSERT ON phase_changes BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_phase_changes_update AFTER UPDATE ON phase_changes BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_phase_changes_delete AFTER DELETE ON phase_changes BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_service_levels_insert AFTER INSERT ON service_levels BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_service_levels_update AFTER UPDATE ON service_levels BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_service_levels_delete AFTER DELETE ON service_levels BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_published_packs_insert AFTER INSERT ON published_packs BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_published_packs_update AFTER UPDATE ON published_packs BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_published_packs_delete AFTER DELETE ON published_packs BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_cost_records_insert AFTER INSERT ON cost_records BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_cost_records_update AFTER UPDATE ON cost_records BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_cost_records_delete AFTER DELETE ON cost_records BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_sla_measurements_insert AFTER INSERT ON sla_measurements BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_sla_measurements_update AFTER UPDATE ON sla_measurements BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_sla_measurements_delete AFTER DELETE ON sla_measurements BEGIN UPDATE data_version SET n = n + 1; END;
