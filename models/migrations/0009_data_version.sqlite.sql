-- The data version: a number that every committed write of a table the
-- dashboard or the risk register reads makes larger, moved by triggers in the
-- writer's own transaction. Whoever writes (forms, imports, the `portfolio user`
-- command, another app instance on the same PostgreSQL) moves it, and it moves
-- exactly when the write commits. A reader that reads the version before its
-- data may cache the data under that version and serve it again while the
-- version reads the same (data_version.go): a version can only be older than
-- the data cached with it, never newer.
--
-- Covered: the tables the dashboard and the register read (engagements,
-- engagement_managers for the register's rights, vendors for its vendor filter,
-- users for owners' names, risks, milestones, readiness_items for the transfers'
-- readiness, fx_rates, settings for bands, fiscal year and reporting currency)
-- and the aggregate tables read instead of base rows (engagement_totals,
-- cost_month_totals, sla_month_totals, risk_cell_totals, risk_cells). Writers of
-- cost records and SLA results add their deltas to the totals in their own
-- transaction (aggregates.go), so those million-row tables need no trigger here
-- (migration 13 added them for the review pack). risk_cells is written with the
-- risks, but also by RebuildAggregates, the repair of a wrong total.
-- Not covered: the history (changes), written only beside a covered write,
-- lessons, reviews and packs (migration 13), the sign-in throttles.
-- A table added later needs a migration of its own.
--
-- SQLite runs one writer at a time and has row triggers only: one counter row,
-- and a trigger per table and operation adding one. (The scale seed sets the
-- triggers aside for its load and moves the version once at the end:
-- seed_upkeep.go.)

CREATE TABLE data_version (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
INSERT INTO data_version (shard, n) VALUES (0, 1);

CREATE TRIGGER data_version_engagements_insert AFTER INSERT ON engagements BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagements_update AFTER UPDATE ON engagements BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagements_delete AFTER DELETE ON engagements BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_engagement_managers_insert AFTER INSERT ON engagement_managers BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagement_managers_update AFTER UPDATE ON engagement_managers BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagement_managers_delete AFTER DELETE ON engagement_managers BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_vendors_insert AFTER INSERT ON vendors BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_vendors_update AFTER UPDATE ON vendors BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_vendors_delete AFTER DELETE ON vendors BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_users_insert AFTER INSERT ON users BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_users_update AFTER UPDATE ON users BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_users_delete AFTER DELETE ON users BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_risks_insert AFTER INSERT ON risks BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risks_update AFTER UPDATE ON risks BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risks_delete AFTER DELETE ON risks BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_milestones_insert AFTER INSERT ON milestones BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_milestones_update AFTER UPDATE ON milestones BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_milestones_delete AFTER DELETE ON milestones BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_readiness_items_insert AFTER INSERT ON readiness_items BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_readiness_items_update AFTER UPDATE ON readiness_items BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_readiness_items_delete AFTER DELETE ON readiness_items BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_fx_rates_insert AFTER INSERT ON fx_rates BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_fx_rates_update AFTER UPDATE ON fx_rates BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_fx_rates_delete AFTER DELETE ON fx_rates BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_settings_insert AFTER INSERT ON settings BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_settings_update AFTER UPDATE ON settings BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_settings_delete AFTER DELETE ON settings BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_engagement_totals_insert AFTER INSERT ON engagement_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagement_totals_update AFTER UPDATE ON engagement_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_engagement_totals_delete AFTER DELETE ON engagement_totals BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_cost_month_totals_insert AFTER INSERT ON cost_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_cost_month_totals_update AFTER UPDATE ON cost_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_cost_month_totals_delete AFTER DELETE ON cost_month_totals BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_sla_month_totals_insert AFTER INSERT ON sla_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_sla_month_totals_update AFTER UPDATE ON sla_month_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_sla_month_totals_delete AFTER DELETE ON sla_month_totals BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_risk_cell_totals_insert AFTER INSERT ON risk_cell_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risk_cell_totals_update AFTER UPDATE ON risk_cell_totals BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risk_cell_totals_delete AFTER DELETE ON risk_cell_totals BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_risk_cells_insert AFTER INSERT ON risk_cells BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risk_cells_update AFTER UPDATE ON risk_cells BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_risk_cells_delete AFTER DELETE ON risk_cells BEGIN UPDATE data_version SET n = n + 1; END;
