package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// savingsFixture adds a vendor with a CHF and a USD engagement and their
// months (amounts in whole units), and CHF rates for September and October 2026.
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
	rec := func(id uint, cur string, m int, baseline, fees, oneOff, planned int64) {
		r := models.CostRecord{EngagementID: id, Month: models.D(2026, time.Month(m), 1), Currency: cur, SavingsType: models.SavingsHard,
			Baseline: baseline * 100, VendorFees: fees * 100, OneOff: oneOff * 100, PlannedSavings: planned * 100, Version: 1}
		must(t, e.db.Create(&r).Error)
	}
	rec(chf, "CHF", 9, 1000, 600, 0, 300)
	rec(chf, "CHF", 10, 1000, 500, 200, 300)
	rec(usd, "USD", 10, 500, 400, 0, 50)
	must(t, e.db.Create(&models.FXRate{Currency: "CHF", Month: models.D(2026, 9, 1), Rate: "1.10"}).Error)
	must(t, e.db.Create(&models.FXRate{Currency: "CHF", Month: models.D(2026, 10, 1), Rate: "1.20"}).Error)
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

// The savings page of one vendor, hand-checked (USD reporting, today 21 Nov 2026, in 2026-Q4):
//
//	CHF Sep: gross 400 at 1.10 = $440 (planned $330); CHF Oct: gross 500, net 300 at 1.20 = $600 / $360 (planned $360);
//	USD Oct: gross = net $100 (planned $50).
//	2026-Q4 to date: net $360 + $100 = $460. Year to date: $900 against $740 planned: variance $160.
//	Run-rate: 2026-Q3's gross $440 × 4 = $1,760. CHF payback: cumulative gross 900 ≥ one-off 200 in October 2026.
func TestSavingsPageFigures(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		vendor := savingsFixture(t, e)
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.get("/savings?vendor=" + strconv.Itoa(int(vendor)))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("savings: %d\n%s", r.StatusCode, r.Body)
		}
		doc := r.Doc(t)
		for testid, want := range map[string]string{"sav-quarter": "$460", "sav-ytd": "$900", "sav-variance": "$160", "sav-runrate": "$1,760", "sav-cumulative": "$900"} {
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
		if got := strings.TrimSpace(rows.First().Find(`[data-testid="payback"]`).Text()); got != "Oct 2026" {
			t.Errorf("CHF payback %q", got)
		}
		rates := doc.Find(`[data-testid="rates"]`).Text()
		if !strings.Contains(rates, "1.10") || !strings.Contains(rates, "1.20") || strings.Contains(rates, "No rate recorded") {
			t.Errorf("rates note: %q", rates)
		}
		// The breakdown by tower and by vendor, and an earlier quarter (2026-Q3: complete, its own run-rate).
		for _, q := range []string{"&by=tower", "&by=vendor"} {
			if r := c.get("/savings?vendor=" + strconv.Itoa(int(vendor)) + q); r.StatusCode != http.StatusOK || r.Doc(t).Find(`[data-testid="breakdown-row"]`).Length() != 1 {
				t.Errorf("breakdown %s: %d", q, r.StatusCode)
			}
		}
		d := c.get("/savings?quarter=2026-Q3&vendor=" + strconv.Itoa(int(vendor))).Doc(t)
		if got := figure(d, "sav-quarter"); got != "$440" {
			t.Errorf("2026-Q3 net %q", got)
		}
		if got := figure(d, "sav-runrate"); got != "$1,760" {
			t.Errorf("2026-Q3 run-rate %q", got)
		}
		// htmx gets the body partial.
		if r := c.htmx("/savings?vendor=" + strconv.Itoa(int(vendor))); strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="savings-body"`) {
			t.Error("htmx did not get the partial")
		}
		// Without October's rate the page flags it.
		must(t, e.db.Where("currency = ? AND month = ?", "CHF", models.D(2026, 10, 1)).Delete(&models.FXRate{}).Error)
		rates = c.get("/savings?vendor=" + strconv.Itoa(int(vendor))).Doc(t).Find(`[data-testid="rates"]`).Text()
		if !strings.Contains(rates, "CHF 2026-10") {
			t.Errorf("missing rate not flagged: %q", rates)
		}
	})
}

// The whole portfolio's page renders, with its charts and their tables.
func TestSavingsPagePortfolio(t *testing.T) {
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
