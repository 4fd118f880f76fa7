package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portfolio/models"
)

// The scenario of the rupee counted as a dollar: December's costs of an INR
// engagement recorded before December's rate exists. The dashboard's
// figures convert them at November's rate (not 1:1), say so beside
// themselves and under a banner; recording December's rate makes them final.
func TestDashboardMonthWithoutItsRate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var eng models.Engagement
		if err := e.db.Where("currency = ? AND closed_on IS NULL", "INR").Order("id").First(&eng).Error; err != nil {
			t.Skip("the demo has no live INR engagement")
		}
		this, last := month(0), month(-1)
		var n int64
		e.db.Model(&models.FXRate{}).Where("currency = ? AND month = ?", "INR", this).Count(&n)
		if n != 0 {
			t.Fatalf("the demo already has INR's rate for %s", ym(this))
		}
		admin := e.client()
		admin.login(models.RoleAdmin)
		before := figure(admin.get("/").Doc(t), "fig-savings-quarter")
		cost := url.Values{"_csrf": {admin.token()}, "month": {ym(this)}, "baseline": {"100,000,000.00"}, "vendor_fees": {"10,000,000.00"},
			"retained": {"0"}, "one_off": {"0"}, "credits": {"0"}, "planned_savings": {"1,000,000"}, "savings_type": {models.SavingsHard}}
		if r := admin.post(fmt.Sprintf("/engagements/%d/costs", eng.ID), cost); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("record %s: %d\n%.400s", ym(this), r.StatusCode, r.Body)
		}
		doc := admin.get("/").Doc(t)
		label := "INR " + this.Format("Jan 2006") + " at " + last.Format("Jan 2006") + "'s rate"
		if flag := doc.Find(`[data-testid="fig-savings-quarter"] [data-testid="provisional"]`).Text(); !strings.Contains(flag, label) {
			t.Errorf("the quarter's savings do not say they are provisional: %q (was %s)", flag, before)
		}
		short := "INR " + this.Format("Jan 2006") + " (" + last.Format("Jan 2006") + "'s rate)"
		if banner := doc.Find(`[data-testid="rates-banner"]`).Text(); !strings.Contains(banner, short) {
			t.Errorf("no banner: %q", banner)
		}
		// ₹90,000,000 of savings at about $0.012 adds about $1m, never $90m.
		if grew := millions(t, figure(admin.get("/").Doc(t), "fig-savings-quarter")) - millions(t, before); grew < 0.1 || grew > 5 {
			t.Errorf("the quarter's savings grew by $%.1fm for ₹90m: the rupees look counted as dollars", grew)
		}
		// The month's own rate makes the figures final.
		var prev models.FXRate
		e.db.Where("currency = ? AND month = ?", "INR", last).First(&prev)
		must(t, e.db.Create(&models.FXRate{Currency: "INR", Month: this, Rate: prev.Rate}).Error)
		doc = admin.get("/").Doc(t)
		if doc.Find(`[data-testid="rates-banner"]`).Length() != 0 || doc.Find(`[data-testid="fig-savings-quarter"] [data-testid="provisional"]`).Length() != 0 {
			t.Error("still provisional once the month's rate is recorded")
		}
	})
}

// millions reads a short money figure ("$4.4m", "$950k", "$0") in millions.
func millions(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.TrimPrefix(strings.ReplaceAll(s, ",", ""), "$")
	scale := 1e-6
	switch {
	case strings.HasSuffix(s, "m"):
		s, scale = strings.TrimSuffix(s, "m"), 1
	case strings.HasSuffix(s, "k"):
		s, scale = strings.TrimSuffix(s, "k"), 1e-3
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a money figure: %q", s)
	}
	return v * scale
}

// Costs in a currency with no exchange rate at all are refused where they are
// entered, the form and the import alike (422 naming the currency), and
// nothing is stored: they could not be converted, and are never counted 1:1.
func TestCostsInACurrencyWithoutRatesAreRefused(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		must(t, e.db.Model(&models.Engagement{}).Where("id = ?", mine.ID).Update("currency", "SEK").Error)
		c := e.client()
		c.login(models.RoleManager)
		var before int64
		e.db.Model(&models.CostRecord{}).Where("engagement_id = ?", mine.ID).Count(&before)
		f := costPost(c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID)), ym(month(0)))
		r := c.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), f)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find(`[data-testid="form-errors"]`).Text(), "No exchange rate for SEK") {
			t.Errorf("a month of SEK costs with no SEK rate: %d", r.StatusCode)
		}
		if v, _ := r.Doc(t).Find(`input[name="baseline"]`).Attr("value"); v == "" {
			t.Error("the input was not kept")
		}
		// The import names the currency on the row's line.
		file := "Engagement,Month,Baseline,Vendor fees,Retained,One-off,Credits,Planned savings,Savings type\n" +
			mine.Code + "," + ym(month(0)) + ",1000,500,0,0,0,100,hard\n"
		r = uploadCostsCSV(t, c, file)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "No exchange rate for SEK") {
			t.Errorf("an import of SEK costs with no SEK rate: %d", r.StatusCode)
		}
		var after int64
		e.db.Model(&models.CostRecord{}).Where("engagement_id = ?", mine.ID).Count(&after)
		if after != before {
			t.Errorf("%d records stored", after-before)
		}
	})
}
