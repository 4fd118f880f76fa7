-- One table of live-risk counts instead of two. Migration 7's risk_cell_totals
-- (live risks per residual and per inherent cell, maintained by the writers' code) and
-- migration 8's risk_cells (risks per status, category and both cells, maintained by
-- triggers) counted the same risks twice, in two tables every risk write
-- touched. risk_cells has every dimension of both, so it stays: the dashboard's
-- heat map (LiveRiskCells) sums its rows of the live statuses over every
-- category, and risk_cell_totals goes, with the code that maintained it and its
-- data-version triggers (migration 9).

DROP TABLE risk_cell_totals;
