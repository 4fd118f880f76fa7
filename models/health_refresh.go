package models

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models/sqlstore"
)

// HealthFacts gathers the inputs of Health for the given engagements (all when
// ids is empty) with one grouped query per source, never a query per engagement.
func HealthFacts(ctx context.Context, db *gorm.DB, s Settings, today Date, ids ...uint) (map[uint]*HealthInputs, error) {
	db = db.WithContext(ctx)
	var engs []Engagement
	q := db.Select("id, model, phase, planned_transfer, actual_transfer")
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	if err := q.Find(&engs).Error; err != nil {
		return nil, err
	}
	facts := make(map[uint]*HealthInputs, len(engs))
	f := s.Fiscal()
	lastQ := f.LastComplete(today)
	for _, e := range engs {
		in := engagementInputs(e, lastQ, today)
		facts[e.ID] = &in
	}
	scope := func(q *gorm.DB, col string) *gorm.DB {
		if len(ids) > 0 {
			return q.Where(col+" IN ?", ids)
		}
		return q
	}
	var risks []struct {
		EngagementID                 uint
		Crit, High, Overdue, Expired int
		ExpiredOn                    Date
	}
	sel, args := riskFacts(s, today)
	if err := scope(db.Table("risks").Select("engagement_id, "+sel, args...).
		Where("status <> ? AND engagement_id IS NOT NULL", StatusClosed), "engagement_id").
		Group("engagement_id").Scan(&risks).Error; err != nil {
		return nil, err
	}
	for _, r := range risks {
		if h := facts[r.EngagementID]; h != nil {
			h.CriticalOutOfAppetite, h.HighOutOfAppetite, h.OverdueReviews = r.Crit, r.High, r.Overdue
			h.ExpiredAcceptances, h.AcceptanceExpiredOn = r.Expired, r.ExpiredOn
		}
	}
	var slas []struct {
		EngagementID  uint
		Met, Measured int64
	}
	if err := scope(db.Table("sla_measurements").Select("engagement_id, "+slaFacts).
		Where("month BETWEEN ? AND ?", f.Start(lastQ), f.End(lastQ)), "engagement_id").
		Group("engagement_id").Scan(&slas).Error; err != nil {
		return nil, err
	}
	for _, r := range slas {
		if h := facts[r.EngagementID]; h != nil {
			h.SLAMet, h.SLAMeasured = r.Met, r.Measured
		}
	}
	var sav []struct {
		EngagementID uint
		Net, Plan    int64
	}
	ytdFrom := f.YearStart(f.QuarterOf(today).Year)
	if err := scope(db.Table("cost_records").Select("engagement_id, "+savingsFacts).
		Where("month >= ? AND month < ?", ytdFrom, today.MonthStart()), "engagement_id").
		Group("engagement_id").Scan(&sav).Error; err != nil {
		return nil, err
	}
	for _, r := range sav {
		if h := facts[r.EngagementID]; h != nil {
			h.SavingsNet, h.SavingsPlan = r.Net, r.Plan
		}
	}
	var ms []struct {
		EngagementID  uint
		KeyLate, Late int
	}
	if err := scope(db.Table("milestones").Select("engagement_id, "+milestoneFacts, today.AddDays(-30)).
		Where("actual IS NULL AND planned < ?", today), "engagement_id").
		Group("engagement_id").Scan(&ms).Error; err != nil {
		return nil, err
	}
	for _, r := range ms {
		if h := facts[r.EngagementID]; h != nil {
			h.KeyLateOver30, h.Late = r.KeyLate, r.Late
		}
	}
	var rd []struct {
		EngagementID uint
		Got, Total   int
	}
	if err := scope(db.Table("readiness_items").Select("engagement_id, "+readinessFacts), "engagement_id").
		Group("engagement_id").Scan(&rd).Error; err != nil {
		return nil, err
	}
	for _, r := range rd {
		if h := facts[r.EngagementID]; h != nil && r.Total > 0 {
			h.Readiness, h.HasReadiness = 100*float64(r.Got)/float64(r.Total), true
		}
	}
	obl, err := obligationHealth(db, today, ids)
	if err != nil {
		return nil, err
	}
	for id, o := range obl {
		if h := facts[id]; h != nil {
			h.ObligationsOverdue, h.ObligationOverdueSince = o.n, o.oldest
		}
	}
	return facts, nil
}

// refreshBatch is how many engagements one transaction of a refresh updates:
// a refresh of the whole portfolio commits batch by batch, so on SQLite other
// writers wait for one group holding a batch at most (sqlstore.Write), never
// for the whole refresh.
var refreshBatch = 500

// backgroundRefreshBatch is refreshBatch for the server's own refresh
// (RefreshHealthInBackground): smaller, as it gives way to requests between
// two batches and each batch holds the writer and a core meanwhile.
var backgroundRefreshBatch = 100

// RefreshHealth recomputes and stores the health of the given engagements (all
// when ids is empty). Writers call it in their transaction for the engagement
// they touched; a daily refresh catches what time alone changes (overdue reviews).
func RefreshHealth(ctx context.Context, db *gorm.DB, s Settings, today Date, ids ...uint) error {
	return refreshHealth(ctx, db, s, today, nil, nil, ids...)
}

// RefreshHealthInBackground is RefreshHealth of every engagement for the
// server's own periodic refresh, which nobody waits for: it calls yield
// between its batches.
func RefreshHealthInBackground(ctx context.Context, db *gorm.DB, s Settings, today Date, yield Yield) error {
	return refreshHealth(ctx, db, s, today, nil, yield)
}

// refreshHealth is RefreshHealth adding the change of health counts to pending
// when it is set (the caller applies them with its own deltas), or applying
// them batch by batch when it is nil. With a yield (the server's own refresh)
// its batches are smaller, and it calls yield between two of them.
//
// Each batch locks its engagements' rows before it reads their facts, in its
// transaction: a write that commits meanwhile (a risk closed) is either in
// the facts or waits for the lock and refreshes after, so a refresh never
// stores a health older than a write it overlapped.
func refreshHealth(ctx context.Context, db *gorm.DB, s Settings, today Date, pending *aggDeltas, yield Yield, ids ...uint) error {
	size := refreshBatch
	if yield != nil {
		size = backgroundRefreshBatch
	}
	all := slices.Clone(ids)
	if len(all) == 0 {
		if err := db.WithContext(ctx).Model(&Engagement{}).Pluck("id", &all).Error; err != nil {
			return err
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for len(all) > 0 {
		batch := all[:min(size, len(all))]
		all = all[len(batch):]
		if err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
			d := pending
			if d == nil {
				d = &aggDeltas{}
			}
			if err := storeHealth(tx, s, today, d, batch); err != nil {
				return err
			}
			if pending != nil {
				return nil
			}
			return d.apply(tx)
		}); err != nil {
			return err
		}
		if len(all) > 0 {
			if err := yield.Wait(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// storeHealth writes the health of one batch of engagements whose rows it
// locks (PostgreSQL; SQLite's transaction holds the writer lock already), then
// reads their facts, adding each change of colour to d.
func storeHealth(tx *gorm.DB, s Settings, today Date, d *aggDeltas, ids []uint) error {
	var current []Engagement
	if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
		Select("id, model, phase, currency, contract_value, health, health_reasons, health_on, closed_on").
		Where("id IN ?", ids).Order("id").Find(&current).Error; err != nil {
		return err
	}
	facts, err := HealthFacts(tx.Statement.Context, tx, s, today, ids...)
	if err != nil {
		return err
	}
	for _, e := range current {
		in := facts[e.ID]
		if in == nil {
			continue
		}
		if err := storeOneHealth(tx, e, *in, today, d); err != nil {
			return err
		}
	}
	return nil
}

// Reasons splits the stored health reasons.
func (e Engagement) Reasons() []string {
	if e.HealthReasons == "" {
		return nil
	}
	return strings.Split(e.HealthReasons, "\n")
}
