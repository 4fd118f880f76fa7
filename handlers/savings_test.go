package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// savingsMonths are the fixture's two months: a, the last month of the
// quarter before today's, and b, the first of today's quarter.
func savingsMonths() (a, b models.Date) {
	fy := models.DefaultFiscal
	b = fy.Start(fy.QuarterOf(today()))
	return b.AddDays(-1).MonthStart(), b
}

// savingsFixture adds a vendor with a CHF and a USD engagement and their
// months (amounts in whole units), and CHF rates for both of savingsMonths.
func savingsFixture(t *testing.T, e *env) (vendorID uint) {
	t.Helper()
	v := models.Vendor{Name: "Savings Fixture AG", Tier: 2, Version: 1}
	must(t, e.db.Create(&v).Error)
	eng := func(code, cur string) uint {
		x := models.Engagement{Code: code, Name: code + " service", Model: models.ModelITO, Tower: models.Towers[4], VendorID: v.ID,
			Phase: "Run", Currency: cur, Health: models.Green, Version: 1}
		must(t, e.db.Omit("Vendor", "Manager").Create(&x).Error)
		return x.ID
	}
	chf, usd := eng("FX-CHF-01", "CHF"), eng("FX-USD-01", "USD")
	a, b := savingsMonths()
	rec := func(id uint, cur string, m models.Date, baseline, fees, oneOff, planned int64) {
		r := models.CostRecord{EngagementID: id, Month: m, Currency: cur, SavingsType: models.SavingsHard,
			Baseline: baseline * 100, VendorFees: fees * 100, OneOff: oneOff * 100, PlannedSavings: planned * 100, Version: 1}
		must(t, e.db.Create(&r).Error)
	}
	rec(chf, "CHF", a, 1000, 600, 0, 300)
	rec(chf, "CHF", b, 1000, 500, 200, 300)
	rec(usd, "USD", b, 500, 400, 0, 50)
	must(t, e.db.Create(&models.FXRate{Currency: "CHF", Month: a, Rate: "1.10"}).Error)
	must(t, e.db.Create(&models.FXRate{Currency: "CHF", Month: b, Rate: "1.20"}).Error)
	return v.ID
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func figure(doc *goquery.Document, testid string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"] .figure-value`).Text())
}

// The savings page of one vendor, hand-checked (USD reporting; a is the last
// month of the quarter before today's, b the first of today's; savingsMonths):
//
//	CHF a: gross 400 at 1.10 = $440 (planned $330); CHF b: gross 500, net 300 at 1.20 = $600 / $360 (planned $360);
//	USD b: gross = net $100 (planned $50).
//	This quarter to date: net $360 + $100 = $460. Year to date: $900 against $740 planned: variance $160 —
//	or, when today's quarter opens the fiscal year, b alone: $460 against $410: variance $50.
//	Run-rate: the previous quarter's gross $440 × 4 = $1,760. CHF payback: cumulative gross 900 ≥ one-off 200 in b.
func TestSavingsPageFigures(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		vendor := savingsFixture(t, e)
		a, b := savingsMonths()
		fy := models.DefaultFiscal
		ytd, variance := "$900", "+$160"
		if fy.QuarterOf(a).Year != fy.QuarterOf(b).Year {
			ytd, variance = "$460", "+$50"
		}
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.get("/savings?vendor=" + strconv.Itoa(int(vendor)))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("savings: %d\n%s", r.StatusCode, r.Body)
		}
		doc := r.Doc(t)
		for testid, want := range map[string]string{"sav-quarter": "$460", "sav-ytd": ytd, "sav-variance": variance, "sav-runrate": "$1,760", "sav-cumulative": "$900"} {
			if got := figure(doc, testid); got != want {
				t.Errorf("%s = %q, want %q", testid, got, want)
			}
		}
		if got := doc.Find(`[data-testid="avoid-ytd"] .figure-value`).Text(); got != "$0" {
			t.Errorf("cost avoidance %q: hard savings leaked into it", got)
		}
		rows := doc.Find(`[data-testid="breakdown-row"]`)
		if rows.Length() != 2 {
			t.Fatalf("%d breakdown rows", rows.Length())
		}
		if got := strings.TrimSpace(rows.First().Find(`[data-testid="payback"]`).Text()); got != b.Format("Jan 2006") {
			t.Errorf("CHF payback %q", got)
		}
		rates := doc.Find(`[data-testid="rates"]`).Text()
		if !strings.Contains(rates, "1.10") || !strings.Contains(rates, "1.20") || strings.Contains(rates, "No rate recorded") {
			t.Errorf("rates note: %q", rates)
		}
		// The breakdown by tower and by vendor, and the previous quarter (complete, its own run-rate).
		for _, q := range []string{"&by=tower", "&by=vendor"} {
			if r := c.get("/savings?vendor=" + strconv.Itoa(int(vendor)) + q); r.StatusCode != http.StatusOK || r.Doc(t).Find(`[data-testid="breakdown-row"]`).Length() != 1 {
				t.Errorf("breakdown %s: %d", q, r.StatusCode)
			}
		}
		prev := fy.QuarterOf(a).String()
		d := c.get("/savings?quarter=" + prev + "&vendor=" + strconv.Itoa(int(vendor))).Doc(t)
		if got := figure(d, "sav-quarter"); got != "$440" {
			t.Errorf("%s net %q", prev, got)
		}
		if got := figure(d, "sav-runrate"); got != "$1,760" {
			t.Errorf("%s run-rate %q", prev, got)
		}
		// htmx gets the body partial.
		if r := c.htmx("/savings?vendor=" + strconv.Itoa(int(vendor))); strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="savings-body"`) {
			t.Error("htmx did not get the partial")
		}
		// Without b's rate, b converts at a's rate (1.10, not 1:1) and every
		// figure that used it says so beside itself, under a banner.
		must(t, e.db.Where("currency = ? AND month = ?", "CHF", b).Delete(&models.FXRate{}).Error)
		doc = c.get("/savings?vendor=" + strconv.Itoa(int(vendor))).Doc(t)
		label := "CHF " + b.Format("Jan 2006") + " at " + a.Format("Jan 2006") + "'s rate"
		if got := figure(doc, "sav-quarter"); got != "$430" { // CHF 300 × 1.10 + $100
			t.Errorf("sav-quarter with b at a's rate = %q, want $430", got)
		}
		if flag := doc.Find(`[data-testid="sav-quarter"] [data-testid="provisional"]`).Text(); !strings.Contains(flag, label) {
			t.Errorf("the quarter's figure does not say it is provisional: %q", flag)
		}
		if flag := doc.Find(`[data-testid="sav-runrate"] [data-testid="provisional"]`).Length(); flag != 0 {
			t.Error("the run-rate, from the quarter before (all rated), is flagged provisional")
		}
		short := "CHF " + b.Format("Jan 2006") + " (" + a.Format("Jan 2006") + "'s rate)"
		if banner := doc.Find(`[data-testid="rates-banner"]`).Text(); !strings.Contains(banner, short) || !strings.Contains(banner, "Exchange rates") {
			t.Errorf("no banner naming the rate used: %q", banner)
		}
	})
}

// The whole portfolio's page renders, with its charts and their tables.
func TestSavingsPagePortfolio(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleManager)
		doc := c.get("/savings").Doc(t)
		for _, id := range []string{"trend-chart", "mix-chart", "breakdown-chart", "breakdown-table", "hard-figures", "avoidance-figures", "runrate"} {
			if doc.Find(`[data-testid="`+id+`"]`).Length() == 0 {
				t.Errorf("no %s", id)
			}
		}
		if doc.Find(`[data-testid="trend-chart"] table tbody tr`).Length() == 0 || doc.Find(`[data-testid="mix-chart"] table tbody tr`).Length() == 0 {
			t.Error("a chart has no table of its numbers")
		}
		if doc.Find(`[data-testid="trend-chart"] svg rect.bar`).Length() == 0 {
			t.Error("the trend chart draws no bars")
		}
	})
}
