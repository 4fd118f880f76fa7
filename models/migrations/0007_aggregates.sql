-- Aggregates maintained on write, and indexes for the dashboard's short lists.
--
-- The dashboard's GROUP BYs over the base tables grew with the portfolio
-- whatever the indexes; these tables hold the same sums, a few hundred rows in
-- all, updated by every writer in the writer's own transaction (aggregates.go),
-- and are filled at the end of this file from the rows already stored
-- (RebuildAggregates runs the same statements):
--   - cost_month_totals: cost records summed per month, currency and savings type
--     (records counts them, so a group emptied by an edit reads as absent);
--   - sla_month_totals: SLA results per month, met and measured;
--   - risk_cell_totals: live (not closed) risks per residual and per inherent
--     likelihood × impact cell (dropped again by migration 10);
--   - engagement_totals: engagements and their contract value per model, phase,
--     health, currency and whether they are active (not closed).
-- Time-dependent figures stay exact as days pass: the sums are keyed by month
-- and the reader picks the months of "this quarter" or "year to date".
--
-- The indexes serve the dashboard's lists (the top risks in score order, the
-- red then amber engagements by code, the next BOT transfers not yet made, the
-- open milestones by due date), each read as the first rows of an index range,
-- and the FX rates of the months it converts. "Not closed", "not transferred"
-- and "not done" are partial-index conditions rather than IS NULL columns:
-- PostgreSQL orders a scan by the columns after an equality, never after an
-- IS NULL, and would sort every match instead.

CREATE TABLE cost_month_totals (
  month DATE NOT NULL, currency TEXT NOT NULL, savings_type TEXT NOT NULL,
  records BIGINT NOT NULL DEFAULT 0, baseline BIGINT NOT NULL DEFAULT 0, vendor_fees BIGINT NOT NULL DEFAULT 0,
  retained BIGINT NOT NULL DEFAULT 0, one_off BIGINT NOT NULL DEFAULT 0, credits BIGINT NOT NULL DEFAULT 0,
  planned_savings BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (month, currency, savings_type));
CREATE TABLE sla_month_totals (
  month DATE NOT NULL PRIMARY KEY, met BIGINT NOT NULL DEFAULT 0, measured BIGINT NOT NULL DEFAULT 0);
CREATE TABLE risk_cell_totals (
  kind TEXT NOT NULL, likelihood INTEGER NOT NULL, impact INTEGER NOT NULL, live BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, likelihood, impact));
CREATE TABLE engagement_totals (
  model TEXT NOT NULL, phase TEXT NOT NULL, health TEXT NOT NULL, currency TEXT NOT NULL, active BOOLEAN NOT NULL,
  engagements BIGINT NOT NULL DEFAULT 0, contract_value BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (model, phase, health, currency, active));
CREATE INDEX risks_top ON risks (residual_score DESC, inherent_score DESC, next_review, id);
CREATE INDEX engagements_attention ON engagements (health, code) WHERE closed_on IS NULL;
CREATE INDEX engagements_transfers ON engagements (model, planned_transfer) WHERE actual_transfer IS NULL AND closed_on IS NULL;
CREATE INDEX milestones_open ON milestones (planned, id) WHERE actual IS NULL;
CREATE INDEX fx_rates_month ON fx_rates (month);

INSERT INTO cost_month_totals (month, currency, savings_type, records, baseline, vendor_fees, retained, one_off, credits, planned_savings)
  SELECT month, currency, savings_type, COUNT(*), SUM(baseline), SUM(vendor_fees), SUM(retained), SUM(one_off), SUM(credits), SUM(planned_savings)
  FROM cost_records GROUP BY month, currency, savings_type;
INSERT INTO sla_month_totals (month, met, measured)
  SELECT month, SUM(CASE WHEN met THEN 1 ELSE 0 END), COUNT(*) FROM sla_measurements GROUP BY month;
INSERT INTO risk_cell_totals (kind, likelihood, impact, live)
  SELECT 'residual', residual_likelihood, residual_impact, COUNT(*) FROM risks WHERE status <> 'closed'
  GROUP BY residual_likelihood, residual_impact;
INSERT INTO risk_cell_totals (kind, likelihood, impact, live)
  SELECT 'inherent', inherent_likelihood, inherent_impact, COUNT(*) FROM risks WHERE status <> 'closed'
  GROUP BY inherent_likelihood, inherent_impact;
INSERT INTO engagement_totals (model, phase, health, currency, active, engagements, contract_value)
  SELECT model, phase, health, currency, closed_on IS NULL, COUNT(*), SUM(contract_value) FROM engagements
  GROUP BY model, phase, health, currency, closed_on IS NULL;
