package seed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// contracts gives each open demo engagement its contract terms, written
// after the bulk rows as a form would (each with its history): ITO
// contracts renew by themselves for a year unless notice is given 90 days
// before they end, BOT programmes end with 60 days' notice. The demo's dates
// put several notice deadlines within six months; the engagement leaving
// (ITO-ADM-03) has its exit decided, and ITO-ADM-02's deadline passed five
// days ago with nothing decided.
func (d *demoSeed) contracts(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if !tx.Migrator().HasTable("contract_terms") { // a schema from before migration 24 (a migration test's)
		return nil
	}
	today := models.DateOf(now)
	past := func(t time.Time) time.Time { // nothing the seed writes is dated after its now
		if t.After(now) {
			return now
		}
		return t
	}
	var es []models.Engagement
	if err := tx.WithContext(ctx).Where("closed_on IS NULL AND contract_end IS NOT NULL").Order("id").Find(&es).Error; err != nil {
		return err
	}
	admin := d.userID["admin@portfolio.example"]
	for _, e := range es {
		t := models.ContractTerms{NoticeDays: 90, AutoRenews: true, RenewalMonths: 12, TerminationForConvenience: true,
			TerminationNoticeDays: 180, AssistanceMonths: 6,
			Documents: fmt.Sprintf("Master services agreement | MSA-%s\nSchedule 2: service levels and credits | %s-S2\nSchedule 5: exit plan | %s-S5", e.Code, e.Code, e.Code)}
		if e.IsBOT() {
			t = models.ContractTerms{NoticeDays: 60, AssistanceMonths: 3,
				Documents: fmt.Sprintf("Build-operate-transfer agreement | BOTA-%s\nTransfer schedule | %s-T1", e.Code, e.Code)}
		}
		review := models.D(today.Year(), e.StartDate.Month(), 1)
		if !review.After(today) {
			review = models.D(today.Year()+1, e.StartDate.Month(), 1)
		}
		t.PriceReviews = review.String() + "\n" + review.AddMonths(12).String()
		t.InitialTermEnd = e.ContractEnd
		if e.Code == "ITO-SEC-01" || e.Code == "ITO-CLD-03" { // two extension options in place of renewing by itself
			t.AutoRenews, t.RenewalMonths = false, 0
			t.RenewalOptions = fmt.Sprintf("12 months | %s\n12 months | %s", e.ContractEnd.AddDays(-120), e.ContractEnd.AddMonths(12).AddDays(-120))
		}
		if e.Code == "ITO-ADM-02" {
			t.NoticeDays = int(e.ContractEnd.Sub(today.Time).Hours()/24) + 5
		}
		if t.NoticeDays > models.MaxNoticeDays {
			t.NoticeDays = models.MaxNoticeDays
		}
		if _, err := models.SaveContractTerms(ctx, tx, &admin, past(e.StartDate.Time), e.ID, t, 0); err != nil {
			return err
		}
		if e.Code == "ITO-ADM-03" {
			deadline := models.NoticeDeadline(e.ContractEnd, t.NoticeDays)
			if err := models.DecideContract(ctx, tx, &admin, past(deadline.AddDays(-10).Time), e.ID, e.ContractEnd, deadline, models.DecisionExit,
				"Exit agreed at the steering committee: the services move in-house.", ""); err != nil {
				return err
			}
		}
	}
	return nil
}
