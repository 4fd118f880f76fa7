package models

import (
	"context"
	"database/sql"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The health facts of each source as SQL, shared by HealthFacts (grouped by
// engagement, for a whole refresh) and engagementFacts (one engagement, in a
// writer's transaction), so that both count exactly the same things.
const (
	slaFacts       = "SUM(CASE WHEN met THEN 1 ELSE 0 END) AS met, COUNT(*) AS measured"
	savingsFacts   = "SUM(baseline - vendor_fees - retained + credits - one_off) AS net, SUM(planned_savings) AS plan"
	milestoneFacts = "SUM(CASE WHEN is_key AND planned < ? THEN 1 ELSE 0 END) AS key_late, COUNT(*) AS late" // ? = today − 30 days
	readinessFacts = "SUM(weight * status) AS got, SUM(weight) * 2 AS total"
)

// riskFacts counts an engagement's live risks that are Critical or High and
// out of appetite, those overdue for review, and the accepted ones whose
// acceptance has expired with the earliest expiry (the select and its arguments).
func riskFacts(s Settings, today Date) (string, []any) {
	critLo, _, _ := s.Risk.BandRange(BandCritical)
	highLo, highHi, _ := s.Risk.BandRange(BandHigh)
	return `SUM(CASE WHEN residual_score >= ? AND residual_score > ? THEN 1 ELSE 0 END) AS crit,
		SUM(CASE WHEN residual_score BETWEEN ? AND ? AND residual_score > ? THEN 1 ELSE 0 END) AS high,
		SUM(CASE WHEN next_review < ? THEN 1 ELSE 0 END) AS overdue,
		SUM(CASE WHEN status = ? AND accept_expiry < ? THEN 1 ELSE 0 END) AS expired,
		MIN(CASE WHEN status = ? AND accept_expiry < ? THEN accept_expiry END) AS expired_on`,
		[]any{critLo, s.Risk.Appetite, highLo, highHi, s.Risk.Appetite, today, StatusAccepted, today, StatusAccepted, today}
}

// engagementInputs are the health inputs an engagement row gives itself.
func engagementInputs(e Engagement, lastQ Quarter, today Date) HealthInputs {
	return HealthInputs{IsBOT: e.IsBOT(), PlannedTransfer: e.PlannedTransfer,
		Transferred: !e.ActualTransfer.IsZero() || e.Phase == "Transferred", SLAQuarter: lastQ, Today: today}
}

// engagementFacts is HealthFacts for one engagement in one statement: each
// source summed over the engagement's own rows (an aggregate without GROUP BY
// is one row, empty or not), so a writer's transaction makes one round trip
// for them instead of five.
func engagementFacts(tx *gorm.DB, s Settings, today Date, e Engagement) (HealthInputs, error) {
	f := s.Fiscal()
	lastQ := f.LastComplete(today)
	in := engagementInputs(e, lastQ, today)
	riskSel, riskArgs := riskFacts(s, today)
	n := func(col string) string { return "CAST(COALESCE(" + col + ", 0) AS BIGINT)" }
	q := `SELECT ` + strings.Join([]string{n("r.crit"), n("r.high"), n("r.overdue"), n("r.expired"), "r.expired_on", n("sl.met"), n("sl.measured"),
		n("c.net"), n("c.plan"), n("m.key_late"), n("m.late"), n("d.got"), n("d.total"), "ob.n"}, ", ") + `
		FROM (SELECT ` + riskSel + ` FROM risks WHERE engagement_id = ? AND status <> ?) r,
		(SELECT ` + slaFacts + ` FROM sla_measurements WHERE engagement_id = ? AND month BETWEEN ? AND ?) sl,
		(SELECT ` + savingsFacts + ` FROM cost_records WHERE engagement_id = ? AND month >= ? AND month < ?) c,
		(SELECT ` + milestoneFacts + ` FROM milestones WHERE engagement_id = ? AND actual IS NULL AND planned < ?) m,
		(SELECT ` + readinessFacts + ` FROM readiness_items WHERE engagement_id = ?) d,
		(SELECT COUNT(*) AS n FROM obligations WHERE engagement_id = ? AND first_due < ?) ob`
	args := append(riskArgs, e.ID, StatusClosed,
		e.ID, f.Start(lastQ), f.End(lastQ),
		e.ID, f.YearStart(f.QuarterOf(today).Year), today.MonthStart(),
		today.AddDays(-30), e.ID, today,
		e.ID, e.ID, today.AddDays(-ObligationOverdueDays))
	var crit, high, overdue, expired, keyLate, late, got, total, obligations int64
	err := ScanEach(tx, q, args, func(rows *sql.Rows) error {
		return rows.Scan(&crit, &high, &overdue, &expired, &in.AcceptanceExpiredOn, &in.SLAMet, &in.SLAMeasured, &in.SavingsNet, &in.SavingsPlan,
			&keyLate, &late, &got, &total, &obligations)
	})
	in.CriticalOutOfAppetite, in.HighOutOfAppetite, in.OverdueReviews = int(crit), int(high), int(overdue)
	in.ExpiredAcceptances = int(expired)
	in.KeyLateOver30, in.Late = int(keyLate), int(late)
	if total > 0 {
		in.Readiness, in.HasReadiness = 100*float64(got)/float64(total), true
	}
	if err != nil || obligations == 0 {
		return in, err
	}
	// Obligations are judged on their schedule, which is not SQL: a second
	// read, only for an engagement with one first due long enough ago.
	obl, err := obligationHealth(tx, today, []uint{e.ID})
	in.ObligationsOverdue, in.ObligationOverdueSince = obl[e.ID].n, obl[e.ID].oldest
	return in, err
}

// refreshOneHealth is RefreshHealth of one engagement inside a writer's
// transaction: two statements (the engagement, then its facts), a third
// only when the health changed, a fourth when its colour did. On PostgreSQL
// the engagement's row is locked before the facts are read, and a statement
// reads what committed before it began: so of two writers of one engagement's
// risks, the second counts the first's change (were the facts read first, it
// could store a health missing it).
func refreshOneHealth(ctx context.Context, tx *gorm.DB, s Settings, today Date, id uint) error {
	tx = tx.WithContext(ctx)
	var e Engagement
	if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
		Select("id, model, phase, currency, contract_value, health, health_reasons, health_on, closed_on, planned_transfer, actual_transfer").
		Where("id = ?", id).Take(&e).Error; err != nil {
		return err
	}
	in, err := engagementFacts(tx, s, today, e)
	if err != nil {
		return err
	}
	var d aggDeltas
	if err := storeOneHealth(tx, e, in, today, &d); err != nil {
		return err
	}
	return d.apply(tx)
}

// storeOneHealth stores the health in derives for e (locked and read by the
// caller) when it differs from the stored one, adding a change of colour to d.
func storeOneHealth(tx *gorm.DB, e Engagement, in HealthInputs, today Date, d *aggDeltas) error {
	h, reasons := Health(in)
	if !e.ClosedOn.IsZero() {
		h, reasons = Green, []string{"closed on " + e.ClosedOn.Human()}
	}
	joined := strings.Join(reasons, "\n")
	if h == e.Health && joined == e.HealthReasons && e.HealthOn == today {
		return nil
	}
	if err := tx.Model(&Engagement{}).Where("id = ?", e.ID).
		UpdateColumns(map[string]any{"health": h, "health_reasons": joined, "health_on": today}).Error; err != nil {
		return err
	}
	if h != e.Health {
		d.engagement(e, -1)
		e.Health = h
		d.engagement(e, +1)
	}
	return nil
}

// riskHealthInput is what one risk adds to its engagement's health facts:
// nothing when it is closed or portfolio-wide, else its residual score (the
// band and appetite are judged from it), whether its review is overdue and
// whether (and since when) its acceptance has expired.
type riskHealthInput struct {
	engagement uint
	score      int
	overdue    bool
	expiredOn  string // the expiry of an acceptance that has expired, else ""
}

func healthInputOf(r Risk, today Date) (riskHealthInput, bool) {
	if r.Status == StatusClosed || r.EngagementID == nil {
		return riskHealthInput{}, false
	}
	in := riskHealthInput{*r.EngagementID, r.ResidualScore, !r.NextReview.IsZero() && r.NextReview.Before(today), ""}
	if r.AcceptanceExpired(today) {
		in.expiredOn = r.AcceptExpiry.String()
	}
	return in, true
}

// riskChangesHealth reports whether a risk written from old to new can change
// its engagement's health today: when what it adds to the health facts is
// the same before and after, a refresh would store what is stored already
// (as it stood before the write), and is skipped. A move between open and
// mitigating, the register's commonest change, is such a write.
func riskChangesHealth(old, new Risk, today Date) bool {
	a, aok := healthInputOf(old, today)
	b, bok := healthInputOf(new, today)
	return aok != bok || a != b
}
