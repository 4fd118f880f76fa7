-- Covering indexes for the money aggregates. Every savings figure is a GROUP BY
-- over cost_records (SumCosts, SumCostsBy, the dashboard, the health refresh);
-- with the amounts in the index the database answers from the index alone
-- instead of reading each row: by month for the portfolio and its fiscal
-- periods, by engagement for one engagement, a vendor's or a tower's.

CREATE INDEX cost_records_month_sums ON cost_records (month, currency, savings_type, engagement_id,
  baseline, vendor_fees, retained, one_off, credits, planned_savings);
CREATE INDEX cost_records_engagement_sums ON cost_records (engagement_id, month, currency, savings_type,
  baseline, vendor_fees, retained, one_off, credits, planned_savings);
