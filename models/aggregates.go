package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models/sqlstore"
)

// The aggregate tables (migration 7) hold the portfolio's sums so the dashboard
// reads a few hundred rows instead of grouping millions. They are kept exact by
// the writers themselves: every write of a cost record, SLA result or
// engagement adds the difference it makes (old row out, new row in) with
// `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`, in the write's own
// transaction. The database serialises those increments, so several app
// instances sharing one PostgreSQL stay exact and nothing lives in memory.
//
// The live risks per heat-map cell are counted in risk_cells (migration 8),
// maintained by triggers on the risks in the same transaction; the register
// and the dashboard both read it (migration 10 dropped the writers' own copy).
// The vendors' monthly spend (vendor_month_totals, migration 30) is kept by
// triggers too: a cost record's vendor is its engagement's, which an edit of
// the engagement can change.
//
// Deltas are computed from the row as the writer read it. Cost records and SLA
// results are versioned, so a stale read fails the write (ErrStale)
// instead of adding a wrong delta; an engagement's health changes without a
// version, so engagement writers lock the row as they read it (lockEngagement).
// Each transaction applies its deltas once, in key order (aggDeltas.apply), so
// two writers never wait on each other's aggregate rows in opposite orders.

// aggregateTables are the tables RebuildAggregates empties and refills.
var aggregateTables = []string{"cost_month_totals", "sla_month_totals", "engagement_totals", "risk_cells", "vendor_month_totals"}

// aggregateRefill fills the emptied aggregate tables with the statements
// migrations 7, 8 and 30 filled them with (a test checks they agree), less
// migration 7's fill of risk_cell_totals, which migration 10 dropped.
// risk_cells counts the risks per status, category and both cells, and per
// status and both cells over every category (the empty category).
var aggregateRefill = []string{
	`INSERT INTO cost_month_totals (month, currency, savings_type, records, baseline, vendor_fees, retained, one_off, credits, planned_savings)
  SELECT month, currency, savings_type, COUNT(*), SUM(baseline), SUM(vendor_fees), SUM(retained), SUM(one_off), SUM(credits), SUM(planned_savings)
  FROM cost_records GROUP BY month, currency, savings_type`,
	`INSERT INTO sla_month_totals (month, met, measured)
  SELECT month, SUM(CASE WHEN met THEN 1 ELSE 0 END), COUNT(*) FROM sla_measurements GROUP BY month`,
	`INSERT INTO engagement_totals (model, phase, health, currency, active, engagements, contract_value)
  SELECT model, phase, health, currency, closed_on IS NULL, COUNT(*), SUM(contract_value) FROM engagements
  GROUP BY model, phase, health, currency, closed_on IS NULL`,
	`INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
  SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*)
  FROM risks GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact`,
	`INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
  SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*)
  FROM risks GROUP BY status, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact`,
	`INSERT INTO vendor_month_totals (month, vendor_id, currency, records, vendor_fees, credits)
  SELECT c.month, e.vendor_id, c.currency, COUNT(*), SUM(c.vendor_fees), SUM(c.credits)
  FROM cost_records c JOIN engagements e ON e.id = c.engagement_id GROUP BY c.month, e.vendor_id, c.currency`,
}

// RebuildAggregates refills every aggregate table from the base tables, in one
// transaction. Bulk loads that bypass the writers (the demo and scale seeds)
// call it when they are done; it is also the repair for a table found wrong.
func RebuildAggregates(ctx context.Context, db *gorm.DB) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error { return RefillAggregates(tx) })
}

// RefillAggregates empties and refills the aggregate tables inside
// transaction tx; those a schema not yet migrated that far lacks (a
// migration test's older database) are left out.
func RefillAggregates(tx *gorm.DB) error {
	var tables []string
	for _, t := range aggregateTables {
		if t != "vendor_month_totals" || tx.Migrator().HasTable(t) { // migration 30's
			tables = append(tables, t)
		}
	}
	if !IsSQLite(tx) {
		// Writers wait until the refill commits, then add their deltas to it.
		if err := tx.Exec("LOCK TABLE " + strings.Join(tables, ", ") + " IN EXCLUSIVE MODE").Error; err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return err
		}
	}
	for _, stmt := range aggregateRefill {
		if !slices.ContainsFunc(tables, func(t string) bool { return strings.HasPrefix(stmt, "INSERT INTO "+t+" ") }) {
			continue
		}
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("rebuild aggregates: %w", err)
		}
	}
	return nil
}

// Cost sums of one month, currency and savings type.
type costKey struct {
	Month             string
	Currency, Savings string
}

// The summed columns of cost_month_totals, in the order of costDelta.
var costTotalCols = []string{"records", "baseline", "vendor_fees", "retained", "one_off", "credits", "planned_savings"}

type costDelta [7]int64

// One group of engagements.
type engKey struct {
	Model, Phase, Health, Currency string
	Active                         bool
}

// aggDeltas collects what one transaction changes in the aggregate tables.
// The zero value is ready to use.
type aggDeltas struct {
	cost map[costKey]*costDelta
	sla  map[string]*[2]int64 // month → met, measured
	eng  map[engKey]*[2]int64 // → engagements, contract value
}

// costRecord adds (sign +1) or takes away (-1) a cost record's amounts.
func (d *aggDeltas) costRecord(r CostRecord, sign int64) {
	if d.cost == nil {
		d.cost = map[costKey]*costDelta{}
	}
	k := costKey{r.Month.MonthStart().String(), r.Currency, r.SavingsType}
	v := d.cost[k]
	if v == nil {
		v = &costDelta{}
		d.cost[k] = v
	}
	for i, n := range [7]int64{1, r.Baseline, r.VendorFees, r.Retained, r.OneOff, r.Credits, r.PlannedSavings} {
		v[i] += sign * n
	}
}

// slaResult adds or takes away one SLA result of a month.
func (d *aggDeltas) slaResult(month Date, met bool, sign int64) {
	if d.sla == nil {
		d.sla = map[string]*[2]int64{}
	}
	k := month.MonthStart().String()
	v := d.sla[k]
	if v == nil {
		v = &[2]int64{}
		d.sla[k] = v
	}
	if met {
		v[0] += sign
	}
	v[1] += sign
}

// engagement adds or takes away an engagement from its group.
func (d *aggDeltas) engagement(e Engagement, sign int64) {
	if d.eng == nil {
		d.eng = map[engKey]*[2]int64{}
	}
	k := engKey{e.Model, e.Phase, e.Health, e.Currency, e.ClosedOn.IsZero()}
	v := d.eng[k]
	if v == nil {
		v = &[2]int64{}
		d.eng[k] = v
	}
	v[0] += sign
	v[1] += sign * e.ContractValue
}

// apply writes the collected deltas inside tx, table by table in key order,
// skipping groups whose changes cancel out.
func (d *aggDeltas) apply(tx *gorm.DB) error {
	for _, k := range sortedKeys(d.cost, func(a, b costKey) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.Savings, b.Savings))
	}) {
		if err := bump(tx, "cost_month_totals", []string{"month", "currency", "savings_type"},
			[]any{k.Month, k.Currency, k.Savings}, costTotalCols, d.cost[k][:]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(d.sla, cmp.Compare[string]) {
		if err := bump(tx, "sla_month_totals", []string{"month"}, []any{k}, []string{"met", "measured"}, d.sla[k][:]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(d.eng, func(a, b engKey) int {
		return cmp.Or(cmp.Compare(a.Model, b.Model), cmp.Compare(a.Phase, b.Phase), cmp.Compare(a.Health, b.Health),
			cmp.Compare(a.Currency, b.Currency), cmpBool(a.Active, b.Active))
	}) {
		if err := bump(tx, "engagement_totals", []string{"model", "phase", "health", "currency", "active"},
			[]any{k.Model, k.Phase, k.Health, k.Currency, k.Active}, []string{"engagements", "contract_value"}, d.eng[k][:]); err != nil {
			return err
		}
	}
	*d = aggDeltas{}
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, less)
	return keys
}

// bump adds deltas to the columns of the row with the given key, creating the
// row when it is missing. Nothing is written when every delta is zero.
func bump(tx *gorm.DB, table string, keys []string, keyVals []any, cols []string, deltas []int64) error {
	if !slices.ContainsFunc(deltas, func(n int64) bool { return n != 0 }) {
		return nil
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + strings.Join(keys, ", ") + ", " + strings.Join(cols, ", ") + ") VALUES (")
	sb.WriteString(strings.TrimSuffix(strings.Repeat("?, ", len(keys)+len(cols)), ", "))
	sb.WriteString(") ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c + " = " + table + "." + c + " + excluded." + c)
	}
	args := append([]any{}, keyVals...)
	for _, n := range deltas {
		args = append(args, n)
	}
	return tx.Exec(sb.String(), args...).Error
}

// lockEngagement reads an engagement for a write that changes it, locking its
// row on PostgreSQL until the transaction ends (SQLite runs one writer at a
// time already): its health can change without a version, and the aggregate
// deltas are computed from the row as read. FOR NO KEY UPDATE, the lock an
// UPDATE takes anyway, leaves writers of the engagement's risks and costs free
// to reference it: FOR UPDATE would deadlock with their foreign-key locks.
func lockEngagement(tx *gorm.DB, e *Engagement, id uint) error {
	return tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).First(e, id).Error
}
