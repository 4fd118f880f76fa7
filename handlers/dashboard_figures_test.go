package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// figuresFixture is a small portfolio whose figures are checked by hand
// (USD, fiscal year from January, the months relative to dbtest.Today):
//
//	ITO "FIG-ITO" (amber, active): hard savings in the first month of today's quarter,
//	  baseline $30,000,000, fees $8,601,564: net $21,398,436 against $21,422,000 planned:
//	  99.89 % of plan, variance −$23,564.
//	BOT "FIG-BOT" (red, active): cost avoidance the same month, baseline $20,000,000, fees
//	  $9,971,000: net $10,029,000 against $10,000,000: 100.29 %, +$29,000.
//	ITO "FIG-END" (closed): counted nowhere.
//	FIG-ITO's two service levels in the last complete quarter: 4 results, 2 missed;
//	  one more missed in today's quarter.
//	Risks: open Critical (20), mitigating High (12), closed Critical; accepted Medium
//	  (6) whose acceptance expired 5 days ago, accepted Low (2) whose acceptance holds.
func figuresFixture(t *testing.T, db *gorm.DB) {
	t.Helper()
	hash, _ := models.HashPassword("correct horse battery")
	must(t, db.Create(&models.User{Name: "Ada Admin", Email: "ada@example.com", Role: models.RoleAdmin, PasswordHash: hash}).Error)
	v := models.Vendor{Name: "Figures Vendor", Tier: 1, Version: 1}
	must(t, db.Create(&v).Error)
	fy, today := models.DefaultFiscal, dbtest.Today()
	eng := func(code, model, phase, health string, closed models.Date) uint {
		e := models.Engagement{Code: code, Name: code + " service", Model: model, Tower: models.Towers[0], VendorID: v.ID, Phase: phase,
			Currency: "USD", Health: health, ContractValue: 100_000_000, StartDate: today.AddDays(-400), ClosedOn: closed, Version: 1}
		must(t, db.Omit("Vendor", "Manager").Create(&e).Error)
		return e.ID
	}
	ito := eng("FIG-ITO", models.ModelITO, "Run", models.Amber, models.Date{})
	bot := eng("FIG-BOT", models.ModelBOT, "Build", models.Red, models.Date{})
	eng("FIG-END", models.ModelITO, "Ended", models.Green, today.AddDays(-10))
	q0 := fy.Start(fy.QuarterOf(today))
	must(t, db.Create(&models.CostRecord{EngagementID: ito, Month: q0, Currency: "USD", SavingsType: models.SavingsHard,
		Baseline: 30_000_000_00, VendorFees: 8_601_564_00, PlannedSavings: 21_422_000_00, Version: 1}).Error)
	must(t, db.Create(&models.CostRecord{EngagementID: bot, Month: q0, Currency: "USD", SavingsType: models.SavingsAvoidance,
		Baseline: 20_000_000_00, VendorFees: 9_971_000_00, PlannedSavings: 10_000_000_00, Version: 1}).Error)
	lq := fy.Start(fy.LastComplete(today))
	for _, s := range []struct {
		name   string
		months []bool // met, month by month from lq
	}{{"Availability", []bool{true, true, false}}, {"Incident response", []bool{false}}} {
		sl := models.ServiceLevel{EngagementID: ito, Name: s.name, Target: 99_000, Unit: "%", Direction: "higher", Version: 1}
		must(t, db.Create(&sl).Error)
		for i, met := range s.months {
			actual := int64(99_500)
			if !met {
				actual = 97_250
			}
			must(t, db.Create(&models.SLAMeasurement{ServiceLevelID: sl.ID, EngagementID: ito, Month: models.D(lq.Year(), lq.Month()+time.Month(i), 1), Actual: actual, Met: met, Version: 1}).Error)
		}
		if s.name == "Incident response" {
			must(t, db.Create(&models.SLAMeasurement{ServiceLevelID: sl.ID, EngagementID: ito, Month: q0, Actual: 90_000, Met: false, Version: 1}).Error)
		}
	}
	risk := func(ref, status string, l, i int, expiry ...models.Date) {
		r := models.Risk{EngagementID: &ito, Ref: ref, Title: ref + " risk", Category: models.RiskCategories[0], InherentLikelihood: l, InherentImpact: i,
			InherentScore: l * i, ResidualLikelihood: l, ResidualImpact: i, ResidualScore: l * i, Response: "reduce", Status: status,
			NextReview: today.AddDays(30), RaisedOn: today.AddDays(-30), Version: 1}
		if status == models.StatusClosed {
			r.ClosedOn = today.AddDays(-1)
		}
		if len(expiry) > 0 {
			r.AcceptedBy, r.AcceptJustification, r.AcceptExpiry = "Ada Admin", "Within tolerance", expiry[0]
		}
		must(t, db.Omit("Engagement", "Owner").Create(&r).Error)
	}
	risk("FIG-R1", models.StatusOpen, 4, 5)
	risk("FIG-R2", models.StatusMitigating, 3, 4)
	risk("FIG-R3", models.StatusClosed, 5, 5)
	risk("FIG-R4", models.StatusAccepted, 2, 3, today.AddDays(-5)) // its acceptance has expired
	risk("FIG-R5", models.StatusAccepted, 1, 2, today.AddDays(30))
	// Rows written directly bypass the writers, as the seeds do: refill the aggregates as they do.
	must(t, models.RebuildAggregates(context.Background(), db))
}

func squashText(s string) string { return strings.Join(strings.Fields(s), " ") }

// drill is the href of a dashboard card's link, without its fragment.
func drill(t *testing.T, doc *goquery.Document, testid string) string {
	t.Helper()
	href, ok := doc.Find(`[data-testid="` + testid + `"] a[data-testid="drill"]`).Attr("href")
	if !ok {
		t.Fatalf("card %s has no link", testid)
	}
	return href
}

// The savings cards show % of plan to one decimal and the money variance
// beside it, computed from the exact sums: 99.89 % is "99.9 %", never "100 %".
func TestDashboardSavingsCardsShowOneDecimalAndTheVariance(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			figuresFixture(t, db)
			c := newEnv(t, db).client()
			c.loginAs("ada@example.com", "correct horse battery")
			r := c.get("/")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("dashboard: %d", r.StatusCode)
			}
			doc := r.Doc(t)
			for _, tc := range []struct{ testid, value, note, variance string }{
				{"fig-savings-quarter", "$21.4m", "99.9 % of $21.4m plan", "−$23,564"},
				{"fig-savings-ytd", "$21.4m", "99.9 % of $21.4m plan", "−$23,564"},
				{"fig-avoidance-ytd", "$10.0m", "100.3 % of $10.0m plan", "+$29,000"},
			} {
				card := doc.Find(`[data-testid="` + tc.testid + `"]`)
				if got := figure(doc, tc.testid); got != tc.value {
					t.Errorf("%s value %q, want %q", tc.testid, got, tc.value)
				}
				if got := squashText(card.Find(".figure-note").Text()); !strings.Contains(got, tc.note) || strings.Contains(got, "100 %") {
					t.Errorf("%s note %q, want it to say %q", tc.testid, got, tc.note)
				}
				v := card.Find(`[data-testid="variance"]`)
				if got := v.Text(); got != tc.variance {
					t.Errorf("%s variance %q, want %q", tc.testid, got, tc.variance)
				}
				if neg := strings.HasPrefix(tc.variance, "−"); v.HasClass("neg") != neg {
					t.Errorf("%s variance marked negative: %v, want %v", tc.testid, v.HasClass("neg"), neg)
				}
			}
			// The savings page, as the card's link opens it, says the same.
			href := drill(t, doc, "fig-savings-quarter")
			q := models.DefaultFiscal.QuarterOf(dbtest.Today()).String()
			if want := "/savings?quarter=" + q + "#hard-h"; href != want {
				t.Fatalf("savings card links to %q, want %q", href, want)
			}
			page := c.get(strings.Split(href, "#")[0])
			if page.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", href, page.StatusCode)
			}
			sav := page.Doc(t)
			if got := figure(sav, "sav-quarter"); got != "$21,398,436" {
				t.Errorf("savings page quarter %q", got)
			}
			for _, id := range []string{"sav-quarter", "sav-ytd"} {
				card := sav.Find(`[data-testid="` + id + `"]`)
				if note := squashText(card.Find(".figure-note").Text()); !strings.Contains(note, "99.9 % of plan $21,422,000") {
					t.Errorf("savings page %s note %q", id, note)
				}
				if got := card.Find(`[data-testid="variance"]`).Text(); got != "−$23,564" {
					t.Errorf("savings page %s variance %q", id, got)
				}
			}
			if got := figure(sav, "sav-variance"); got != "−$23,564" {
				t.Errorf("savings page variance card %q", got)
			}
			// And the engagement's own page.
			var ito models.Engagement
			must(t, db.Where("code = ?", "FIG-ITO").First(&ito).Error)
			eng := c.get("/engagements/" + strconv.Itoa(int(ito.ID))).Doc(t)
			if note := squashText(eng.Find(`[data-testid="eng-ytd"] .figure-note`).Text()); note != "99.9 % of plan $21,422,000" {
				t.Errorf("engagement year-to-date note %q", note)
			}
			if got := figure(eng, "eng-variance"); got != "−$23,564" {
				t.Errorf("engagement variance %q", got)
			}
			row := sav.Find(`[data-testid="breakdown-row"]:contains("FIG-ITO")`)
			if got := squashText(row.Text()); !strings.Contains(got, "−$23,564") || !strings.Contains(got, "99.9 %") {
				t.Errorf("breakdown row %q: want −$23,564 and 99.9 %%", got)
			}
		})
	}
}

// Every headline card links to the list that explains it, with its period or
// filter applied, and that list shows the rows the card counts.
func TestDashboardCardsDrillDown(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			figuresFixture(t, db)
			c := newEnv(t, db).client()
			c.loginAs("ada@example.com", "correct horse battery")
			doc := c.get("/").Doc(t)
			fy := models.DefaultFiscal
			lq, cq := fy.LastComplete(dbtest.Today()).String(), fy.QuarterOf(dbtest.Today()).String()
			want := map[string]string{
				"fig-active": "/engagements?status=active", "fig-value": "/engagements?status=active",
				"fig-savings-quarter": "/savings?quarter=" + cq + "#hard-h", "fig-savings-ytd": "/savings?quarter=" + cq + "#hard-h",
				"fig-avoidance-ytd": "/savings?quarter=" + cq + "#avoid-fig-h", "fig-sla": "/slas/breaches?quarter=" + lq, "fig-risks": "/risks",
				"fig-expired": "/risks?status=accepted&expired=1",
			}
			for id, href := range want {
				if got := drill(t, doc, id); got != href {
					t.Errorf("%s links to %q, want %q", id, got, href)
				}
			}
			rows := func(path, css string) (int, *goquery.Document) {
				t.Helper()
				r := c.get(path)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", path, r.StatusCode)
				}
				d := r.Doc(t)
				return d.Find(css).Length(), d
			}
			// Active engagements: 2 (ITO 1 · BOT 1), the closed one left out.
			if got := figure(doc, "fig-active"); got != "2" {
				t.Errorf("active card %q", got)
			}
			if n, d := rows(want["fig-active"], `[data-testid="engagements-table"] tbody tr`); n != 2 || strings.Contains(d.Text(), "FIG-END") {
				t.Errorf("active engagements list: %d rows (want 2, without FIG-END)", n)
			}
			// SLA attainment of the last complete quarter: 2 of 4 met; its breaches list shows the 2 missed.
			if got := figure(doc, "fig-sla"); got != "50.0 %" {
				t.Errorf("SLA card %q", got)
			}
			n, br := rows(want["fig-sla"], `[data-testid="breach-row"]`)
			if n != 2 || figure(br, "br-attainment") != "50.0 %" || figure(br, "br-missed") != "2" {
				t.Errorf("breaches of %s: %d rows, attainment %q, missed %q; want 2, 50.0 %%, 2", lq, n, figure(br, "br-attainment"), figure(br, "br-missed"))
			}
			if text := br.Find(`[data-testid="breach-row"]`).First().Text(); !strings.Contains(text, "FIG-ITO") || !strings.Contains(text, "97.25") {
				t.Errorf("breach row %q", squashText(text))
			}
			if n, _ := rows("/slas/breaches?quarter="+cq, `[data-testid="breach-row"]`); n != 1 {
				t.Errorf("breaches of %s: %d rows, want 1", cq, n)
			}
			for _, bad := range []string{"nonsense", "2999-Q1"} { // unreadable or not yet begun: the last complete quarter
				if n, d := rows("/slas/breaches?quarter="+bad, `[data-testid="breach-row"]`); n != 2 || figure(d, "br-attainment") != "50.0 %" {
					t.Errorf("breaches of quarter %q: %d rows, attainment %q; want %s's 2 and 50.0 %%", bad, n, figure(d, "br-attainment"), lq)
				}
			}
			if r := c.htmx(want["fig-sla"]); !strings.Contains(r.Body, `id="breaches-body"`) || strings.Contains(r.Body, "<html") {
				t.Error("htmx did not get the breaches partial")
			}
			// Open risks: 4, and the register (live by default) lists those 4; each band of the legend opens its own.
			if got := figure(doc, "fig-risks"); got != "4" {
				t.Errorf("open risks card %q", got)
			}
			if n, d := rows(want["fig-risks"], `[data-testid="risk-row"]`); n != 4 || !strings.Contains(d.Find(`[data-testid="risk-count"]`).Text(), "4 matching") {
				t.Errorf("register: %d rows, want 4", n)
			}
			for band, ref := range map[string]string{models.BandCritical: "FIG-R1", models.BandHigh: "FIG-R2"} {
				link := doc.Find(`a.legend-item[href="/risks?band=` + band + `"]`)
				if link.Length() != 1 || !strings.Contains(link.Text(), "1") {
					t.Errorf("legend has no link for %s", band)
					continue
				}
				n, d := rows("/risks?band="+band, `[data-testid="risk-row"]`)
				if n != 1 || !strings.Contains(d.Find(`[data-testid="risk-row"]`).Text(), ref) {
					t.Errorf("register of band %s: %d rows, want %s alone", band, n, ref)
				}
			}
		})
	}
}

// An accepted risk whose acceptance has expired is counted on the dashboard,
// flagged and filtered on the register, and makes its engagement Amber with
// the date; one whose acceptance holds is none of these.
func TestExpiredAcceptancesAreFlagged(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			figuresFixture(t, db)
			c := newEnv(t, db).client()
			c.loginAs("ada@example.com", "correct horse battery")
			expired := dbtest.Today().AddDays(-5).Human()
			doc := c.get("/").Doc(t)
			if got := figure(doc, "fig-expired"); got != "1" {
				t.Errorf("expired acceptances card %q, want 1", got)
			}
			r := c.get(drill(t, doc, "fig-expired"))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", drill(t, doc, "fig-expired"), r.StatusCode)
			}
			reg := r.Doc(t)
			row := reg.Find(`[data-testid="risk-row"]`)
			if row.Length() != 1 || !strings.Contains(row.Text(), "FIG-R4") || !strings.Contains(reg.Find(`[data-testid="risk-count"]`).Text(), "1 matching") {
				t.Fatalf("expired filter: %d rows %q", row.Length(), squashText(row.Text()))
			}
			if got := squashText(row.Find(`[data-testid="acceptance-expired"]`).Text()); got != "acceptance expired on "+expired {
				t.Errorf("badge %q, want %q", got, "acceptance expired on "+expired)
			}
			if box := reg.Find(`input[name="expired"]`); !box.Is("[checked]") {
				t.Error("the filter's checkbox is not ticked")
			}
			// The whole register flags that one row only.
			all := c.get("/risks?status=accepted").Doc(t)
			if n := all.Find(`[data-testid="risk-row"]`).Length(); n != 2 {
				t.Errorf("accepted risks: %d rows, want 2", n)
			}
			if n := all.Find(`[data-testid="acceptance-expired"]`).Length(); n != 1 {
				t.Errorf("%d rows flagged expired, want 1", n)
			}
			// Health: Amber at least, and says since when.
			ctx := context.Background()
			s, err := models.LoadSettings(ctx, db)
			must(t, err)
			must(t, models.RefreshHealth(ctx, db, s, dbtest.Today()))
			var e models.Engagement
			must(t, db.Where("code = ?", "FIG-ITO").First(&e).Error)
			if e.Health == models.Green || !strings.Contains(e.HealthReasons, "a risk's acceptance expired on "+expired) {
				t.Errorf("FIG-ITO health %s, reasons %q: want the expired acceptance", e.Health, e.HealthReasons)
			}
		})
	}
}
