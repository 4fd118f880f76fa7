package handlers_test

import (
	"context"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"portfolio/models"
)

// An admin changes the reporting currency and the fiscal year's first month on
// the settings page: every stored rate is restated in the new currency (and
// recorded), live figures use it at once, the history says what changed, a
// published pack keeps its own figures, and a currency that lacks a month's
// rate is refused with the months named.
func TestReportingSettings(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin := e.client()
		admin.login(models.RoleAdmin)

		q := reviewQuarter()
		confirm := admin.get("/reviews/" + q + "/publish")
		if r := admin.post("/reviews/"+q+"/publish", scrapeForm(t, confirm, `[data-testid="publish-confirm"] form`)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish %s: %d", q, r.StatusCode)
		}
		packBefore := admin.get("/reviews/" + q).Doc(t).Find(`main`).Text()

		var inr, eur models.FXRate
		e.db.Where("currency = ?", "INR").Order("month DESC").First(&inr)
		e.db.Where("currency = ? AND month = ?", "EUR", inr.Month).First(&eur)
		if inr.ID == 0 || eur.ID == 0 {
			t.Fatalf("the demo has no INR and EUR rates of one month: %+v %+v", inr, eur)
		}

		// A month with USD costs and no rate at all: after the change its
		// costs would have no EUR rate to convert at. Refused, the month named.
		var usdMonth models.CostRecord
		e.db.Where("currency = ?", "USD").Order("month").First(&usdMonth)
		var kept []models.FXRate
		e.db.Where("month = ?", usdMonth.Month).Find(&kept)
		e.db.Where("month = ?", usdMonth.Month).Delete(&models.FXRate{})
		try := scrapeForm(t, admin.get("/settings"), "#finance-form")
		try.Set("reporting_currency", "EUR")
		if r := admin.post("/settings/finance", try); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Doc(t).Find(`[data-testid="error-reporting_currency"]`).Text(), usdMonth.Month.Format("Jan 2006")) {
			t.Errorf("switching to EUR with USD costs in %s and no EUR rate then: %d %q", usdMonth.Month.Format("Jan 2006"), r.StatusCode,
				r.Doc(t).Find(`[data-testid="error-reporting_currency"]`).Text())
		}
		for _, k := range kept {
			k.ID = 0
			e.db.Create(&k)
		}
		// A rate form opened before the change is refused after it, input kept.
		fxPage := admin.get("/fx/new?currency=INR")
		fxForm := scrapeForm(t, fxPage, "#fx-form form")
		fxForm.Set("month", "2027-06")
		fxForm.Set("rate", "0.0119")

		page := admin.get("/settings")
		form := scrapeForm(t, page, "#finance-form")
		if form.Get("reporting_currency") != "USD" || form.Get("fiscal_start_month") != "1" {
			t.Fatalf("finance form not filled: %v", form)
		}
		bad := scrapeForm(t, page, "#finance-form")
		bad.Set("reporting_currency", "XYZ")
		if r := admin.post("/settings/finance", bad); r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="error-reporting_currency"]`).Length() == 0 {
			t.Fatalf("an unknown currency: %d", r.StatusCode)
		}

		form.Set("reporting_currency", "EUR")
		if r := admin.post("/settings/finance", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save EUR: %d\n%.800s", r.StatusCode, r.Body)
		}
		s, err := models.LoadSettings(ctx, e.db)
		if err != nil || s.Finance.ReportingCurrency != "EUR" {
			t.Fatalf("stored finance settings: %+v %v", s.Finance, err)
		}
		// INR in EUR = INR in USD ÷ EUR in USD, that month; EUR's row is now USD's, 1 ÷ the rate.
		var inrNow, usdNow models.FXRate
		e.db.First(&inrNow, inr.ID)
		e.db.First(&usdNow, eur.ID)
		if want := ratio(t, inr.Rate, eur.Rate); !near(t, inrNow.Rate, want) {
			t.Errorf("INR %s restated as %s, want %s", inr.Month, inrNow.Rate, want.FloatString(10))
		}
		if want := ratio(t, "1", eur.Rate); usdNow.Currency != "USD" || !near(t, usdNow.Rate, want) {
			t.Errorf("EUR's row restated as %s %s, want USD %s", usdNow.Currency, usdNow.Rate, want.FloatString(10))
		}
		var restated int64
		e.db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND field = ?", "fx_rate", inr.ID, "rate").Count(&restated)
		if restated == 0 {
			t.Error("the restated rate is not in the rates' history")
		}
		if r := admin.post("/fx", fxForm); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Doc(t).Find(`[data-testid="error-rate"]`).Text(), "changed from USD to EUR") {
			t.Errorf("a rate typed against USD, saved after the change to EUR: %d", r.StatusCode)
		}
		if got := admin.get("/").Doc(t).Find(`[data-testid="as-at"]`).Text(); !strings.Contains(got, "amounts in EUR") {
			t.Errorf("the dashboard after the change says %q", got)
		}
		hist := admin.get("/settings").Doc(t).Find(`[data-testid="settings-history"]`).Text()
		if !strings.Contains(hist, "Reporting currency: USD → EUR") {
			t.Errorf("the history says %q", hist)
		}
		if after := admin.get("/reviews/" + q).Doc(t).Find(`main`).Text(); after != packBefore {
			t.Errorf("the published pack of %s changed with the reporting currency", q)
		}

		// A month with rates but none for USD cannot be restated: refused, months named.
		e.db.Create(&models.FXRate{Currency: "GBP", Month: models.D(2031, time.January, 1), Rate: "1.17"})
		form = scrapeForm(t, admin.get("/settings"), "#finance-form")
		form.Set("reporting_currency", "USD")
		r := admin.post("/settings/finance", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find(`[data-testid="error-reporting_currency"]`).Text(), "Jan 2031") {
			t.Fatalf("switching back with a month USD lacks: %d %q", r.StatusCode, r.Doc(t).Find(`[data-testid="error-reporting_currency"]`).Text())
		}
		if s, _ := models.LoadSettings(ctx, e.db); s.Finance.ReportingCurrency != "EUR" {
			t.Errorf("a refused change was stored: %+v", s.Finance)
		}

		// The fiscal year from April: the dashboard's quarter is renamed at once.
		before := admin.get("/").Doc(t).Find(`[data-testid="as-at"]`).Text()
		form = scrapeForm(t, admin.get("/settings"), "#finance-form")
		form.Set("fiscal_start_month", "4")
		if r := admin.post("/settings/finance", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("fiscal start April: %d", r.StatusCode)
		}
		want := models.Fiscal{StartMonth: 4}.QuarterOf(today()).String()
		if got := admin.get("/").Doc(t).Find(`[data-testid="as-at"]`).Text(); !strings.Contains(got, "fiscal "+want) || got == before {
			t.Errorf("with the year from April the dashboard says %q, want fiscal %s", got, want)
		}
	})
}

// Two admins edit the settings from forms shown at once: changes to different
// fields both stand; the same field changed two ways is a 409 naming just
// that field with both values, and stores nothing.
func TestSettingsMergeStaleSaves(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, b := e.client(), e.client()
		a.login(models.RoleAdmin)
		b.login(models.RoleAdmin)
		pageA, pageB, pageC := a.get("/settings"), b.get("/settings"), b.get("/settings")

		fa := scrapeForm(t, pageA, "#settings-form")
		fa.Set("appetite", "11")
		if r := a.post("/settings", fa); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", r.StatusCode)
		}
		fb := scrapeForm(t, pageB, "#settings-form")
		fb.Set("cadence_Low", "200")
		r := b.post("/settings", fb)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale save of another field: %d\n%.600s", r.StatusCode, r.Body)
		}
		if flash := b.get("/settings").Body; !strings.Contains(flash, "merged with a change by") {
			t.Error("the merged save does not say it was merged")
		}
		s, _ := models.LoadSettings(ctx, e.db)
		if s.Risk.Appetite != 11 || s.Risk.Cadence[models.BandLow] != 200 {
			t.Fatalf("after two saves of different fields: appetite %d, Low cadence %d", s.Risk.Appetite, s.Risk.Cadence[models.BandLow])
		}

		fc := scrapeForm(t, pageC, "#settings-form")
		fc.Set("appetite", "7")
		r = b.post("/settings", fc)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("the same field changed two ways: %d", r.StatusCode)
		}
		box := r.Doc(t).Find(`[data-testid="conflict"]`).Text()
		if !strings.Contains(box, "Appetite") || !strings.Contains(box, "7") || !strings.Contains(box, "11") || strings.Contains(box, "Review cadence") {
			t.Errorf("the conflict lists %q", box)
		}
		if s, _ := models.LoadSettings(ctx, e.db); s.Risk.Appetite != 11 || s.Risk.Cadence[models.BandLow] != 200 {
			t.Errorf("a conflicting save changed the settings: %+v", s.Risk)
		}
		// Saving the form the 409 shows keeps the other person's change and takes this one.
		if r := b.post("/settings", scrapeForm(t, r, "#settings-form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the conflict form: %d", r.StatusCode)
		}
		if s, _ := models.LoadSettings(ctx, e.db); s.Risk.Appetite != 7 || s.Risk.Cadence[models.BandLow] != 200 {
			t.Errorf("after saving the conflict form: %+v", s.Risk)
		}

		// The reporting form merges the same way.
		fin1, fin2 := a.get("/settings"), b.get("/settings")
		f1 := scrapeForm(t, fin1, "#finance-form")
		f1.Set("fiscal_start_month", "4")
		if r := a.post("/settings/finance", f1); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("fiscal start: %d", r.StatusCode)
		}
		f2 := scrapeForm(t, fin2, "#finance-form")
		f2.Set("fiscal_start_month", "7")
		if r := b.post("/settings/finance", f2); r.StatusCode != http.StatusConflict ||
			!strings.Contains(r.Doc(t).Find(`[data-testid="conflict"]`).Text(), "Fiscal year starts in") {
			t.Errorf("a stale fiscal start: %d", r.StatusCode)
		}
		if s, _ := models.LoadSettings(ctx, e.db); s.Finance.FiscalStartMonth != 4 {
			t.Errorf("fiscal start after the conflict: %d", s.Finance.FiscalStartMonth)
		}
	})
}

func ratio(t *testing.T, a, b string) *big.Rat {
	t.Helper()
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 {
		t.Fatalf("rates %q %q", a, b)
	}
	return x.Quo(x, y)
}

// near reports a stored rate within 10⁻¹⁰ of want.
func near(t *testing.T, got string, want *big.Rat) bool {
	t.Helper()
	g, ok := new(big.Rat).SetString(got)
	if !ok {
		return false
	}
	d := new(big.Rat).Sub(g, want)
	return d.Abs(d).Cmp(big.NewRat(1, 10_000_000_000)) <= 0
}
