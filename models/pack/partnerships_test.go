package pack_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
)

// The pack's "Contracts and partnerships": the notice deadlines that fall in
// the next quarter (each open engagement's contract end less its notice
// period, worked out here from the rows), and the quarter's surveys where
// something fell or scored low, the largest fall first with what fell, the
// others summed up as steady (the demo's BOT-PL-02: 4, 4, 3, 4, 4, 3
// became 2, 4, 3, 3, 4, 3, an average down by half a point).
func TestPackPartnerships(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		if p.Partnerships == nil || p.Partnerships.NextQuarter != q.Next().String() {
			t.Fatalf("the section: %+v", p.Partnerships)
		}
		f := s.Fiscal()
		start, end := f.Start(q.Next()), f.End(q.Next())
		var rows []struct {
			Code        string
			ContractEnd models.Date
			NoticeDays  int
		}
		db.Table("engagements e").Select("e.code, e.contract_end, t.notice_days").Joins("JOIN contract_terms t ON t.engagement_id = e.id").
			Where("e.closed_on IS NULL AND e.contract_end IS NOT NULL AND t.notice_days > 0").Scan(&rows)
		want := map[string]string{}
		for _, r := range rows {
			if d := r.ContractEnd.AddDays(-r.NoticeDays); !d.Before(start) && !d.After(end) {
				want[r.Code] = d.Human()
			}
		}
		if len(p.Partnerships.Notices) != len(want) {
			t.Errorf("%d notice deadlines in %s, want %d: %+v", len(p.Partnerships.Notices), q.Next(), len(want), p.Partnerships.Notices)
		}
		for _, n := range p.Partnerships.Notices {
			if want[n.Engagement] != n.Deadline {
				t.Errorf("%s's deadline %s, want %q", n.Engagement, n.Deadline, want[n.Engagement])
			}
		}
		ss := p.Partnerships.Cooled
		if len(ss) != 2 || ss[0].Engagement != "BOT-PL-02" || ss[0].Change() != "−0.5" || ss[1].Engagement != "ITO-DAT-01" ||
			ss[0].Why != "Communication fell from 4 to 2 since "+q.Prev().String()+"; Responsiveness fell from 4 to 3 since "+q.Prev().String() {
			t.Fatalf("the surveys, the largest fall first: %+v", ss)
		}
		var surveyed int64
		db.Model(&models.Survey{}).Where("quarter = ?", q.String()).Count(&surveyed)
		if int64(p.Partnerships.Steady+len(ss)) != surveyed || p.Partnerships.SteadyText() == "" {
			t.Errorf("%d steady and %d cooled of %d surveyed: %q", p.Partnerships.Steady, len(ss), surveyed, p.Partnerships.SteadyText())
		}
		one, err := pack.BuildEngagementPack(ctx, db, s, q, today, p.Engagements[0].ID)
		if err != nil || one.Partnerships != nil {
			t.Errorf("an engagement's pack has the portfolio's section: %v", err)
		}
	})
}

// The pack lists the obligations late at the quarter's end, as recorded by
// then: the demo's BOT-IN-02 forecast, left unrecorded from about 120 days
// before today, is late at the last quarter's end by the days between; met today, it is late
// there still (met after), and the list is the longest late first.
func TestPackObligations(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		end := s.Fiscal().End(q)
		// The forecast's oldest date before the quarter's end with nothing recorded (the demo leaves about 120 days' worth).
		var ob models.Obligation
		db.Joins("JOIN engagements e ON e.id = obligations.engagement_id").Where("e.code = ? AND obligations.title = ?", "BOT-IN-02",
			"Quarterly demand forecast to the vendor").First(&ob)
		var dates []models.Date
		db.Model(&models.ObligationOccurrence{}).Where("obligation_id = ?", ob.ID).Pluck("due_on", &dates)
		var recorded []string
		for _, d := range dates {
			recorded = append(recorded, d.String())
		}
		var due models.Date
		for _, d := range ob.DueDates(ob.FirstDue, end.AddDays(-1)) {
			if !slices.Contains(recorded, d.String()) {
				due = d
				break
			}
		}
		if due.IsZero() {
			t.Fatal("the demo's forecast is not late at the quarter's end")
		}
		find := func(p *pack.Pack) *pack.PackObligation {
			for i, o := range p.Partnerships.Obligations {
				if o.Engagement == "BOT-IN-02" && o.Title == "Quarterly demand forecast to the vendor" {
					return &p.Partnerships.Obligations[i]
				}
			}
			return nil
		}
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Partnerships.HasObligations {
			t.Fatal("no obligations in the pack")
		}
		o := find(p)
		if o == nil || o.DaysLate != due.DaysUntil(end) || o.Since != due.Human() || o.Whose != "Ours" {
			t.Fatalf("BOT-IN-02's forecast: %+v, want %d days late since %s", o, due.DaysUntil(end), due.Human())
		}
		for i, x := range p.Partnerships.Obligations {
			if x.DaysLate <= 0 || (i > 0 && x.DaysLate > p.Partnerships.Obligations[i-1].DaysLate) {
				t.Errorf("row %d: %+v is not late, or not the longest late first", i, x)
			}
		}
		uid := uint(1)
		if _, err := models.RecordOccurrence(ctx, db, models.Actor{UserID: &uid, At: dbtest.Now(), Today: today, Settings: s}, ob, due,
			models.ObligationOccurrence{Status: models.OccurrenceMet, MetOn: today, Evidence: "Forecast sent"}, 0); err != nil {
			t.Fatal(err)
		}
		if p, err = pack.BuildPack(ctx, db, s, q, today); err != nil {
			t.Fatal(err)
		}
		if o := find(p); o == nil || o.DaysLate != due.DaysUntil(end) {
			t.Errorf("met after the quarter's end, it is not late at it: %+v", o)
		}
	})
}
