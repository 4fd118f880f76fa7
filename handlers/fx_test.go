package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// An admin records a month's rate: stored exactly as typed (normalised), with
// history; the same month again updates it; bad rates answer 422 with the input
// kept; a stale edit 409; managers may not.
func TestFXRates(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleAdmin)
		tok := c.csrf("/fx/new")
		post := func(cur, month, rate string) resp {
			return c.post("/fx", url.Values{"_csrf": {tok}, "currency": {cur}, "month": {month}, "rate": {rate}})
		}
		for _, bad := range []string{"1,5", "-1", "0", "1e3", "1.12345678901", ""} {
			r := post("CHF", "2026-10", bad)
			if r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="error-rate"]`).Length() == 0 {
				t.Errorf("rate %q: %d", bad, r.StatusCode)
			}
			if v, _ := r.Doc(t).Find(`input[name="rate"]`).Attr("value"); v != bad {
				t.Errorf("rate %q not kept: %q", bad, v)
			}
		}
		if r := post("USD", "2026-10", "1"); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a rate for the reporting currency: %d", r.StatusCode)
		}
		if r := post("CHF", "2026-10", "1.1250"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var rate models.FXRate
		must(t, e.db.Where("currency = ? AND month = ?", "CHF", models.D(2026, 10, 1)).First(&rate).Error)
		if rate.Rate != "1.125" || !hasChange(changesOf(t, e, "fx_rate", rate.ID), "rate", "", "1.125") {
			t.Errorf("stored %+v", rate)
		}
		// The same month again as a new rate: 409 with a link to edit it, the stored rate unchanged.
		before := rowText(t, e, "fx_rates", rate.ID)
		r := post("CHF", "2026-10", "1.13")
		if link := r.Doc(t).Find(`[data-testid="edit-recorded"]`).AttrOr("href", ""); r.StatusCode != http.StatusConflict || link != fmt.Sprintf("/fx/%d/edit", rate.ID) {
			t.Fatalf("a new rate for a month that has one: %d, link %q", r.StatusCode, link)
		}
		if after := rowText(t, e, "fx_rates", rate.ID); after != before {
			t.Errorf("the stored rate changed: %s → %s", before, after)
		}
		var n int64
		e.db.Model(&models.FXRate{}).Where("currency = ? AND month = ?", "CHF", models.D(2026, 10, 1)).Count(&n)
		if n != 1 {
			t.Errorf("%d rows after posting the month again", n)
		}
		// Through its edit form, the rate changes.
		tok = c.csrf(fmt.Sprintf("/fx/%d/edit", rate.ID))
		if r := c.post(fmt.Sprintf("/fx/%d", rate.ID), url.Values{"_csrf": {tok}, "rate": {"1.13"}, "expected": {"1.125"}, "currency": {"CHF"}, "month": {"2026-10"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit to 1.13: %d", r.StatusCode)
		}
		// A stale edit (the form was loaded at 1.13; someone saved 1.14 since).
		edit := fmt.Sprintf("/fx/%d/edit", rate.ID)
		form := scrapeForm(t, c.get(edit), "#fx-form form")
		if r := c.post(fmt.Sprintf("/fx/%d", rate.ID), url.Values{"_csrf": {tok}, "rate": {"1.14"}, "expected": {"1.13"}, "currency": {"CHF"}, "month": {"2026-10"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", r.StatusCode)
		}
		form.Set("rate", "1.15")
		r = c.post(fmt.Sprintf("/fx/%d", rate.ID), form)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Doc(t).Find(`[data-testid="conflict"]`).Text(), "1.14") {
			t.Errorf("stale edit: %d", r.StatusCode)
		}
		if v, _ := r.Doc(t).Find(`input[name="rate"]`).Attr("value"); v != "1.15" {
			t.Errorf("input not kept on 409: %q", v)
		}
		rate = models.FXRate{}
		e.db.Where("currency = ? AND month = ?", "CHF", models.D(2026, 10, 1)).First(&rate)
		if rate.Rate != "1.14" {
			t.Errorf("stored %s after the stale edit", rate.Rate)
		}
		// The list shows it; managers may not see or change rates.
		if !strings.Contains(c.get("/fx?currency=CHF").Body, "1.14") {
			t.Error("the list does not show the rate")
		}
		m := e.client()
		m.login(models.RoleManager)
		if r := m.get("/fx"); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager list: %d", r.StatusCode)
		}
		if r := m.post("/fx", url.Values{"_csrf": {m.csrf("/")}, "currency": {"CHF"}, "month": {"2026-09"}, "rate": {"1"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager create: %d", r.StatusCode)
		}
	})
}

// Edit buttons appear only for the people allowed to use them.
func TestEditLinksFollowRights(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		page := func(c *client, id uint) string { return c.get(fmt.Sprintf("/engagements/%d", id)).Body }
		x := e.client()
		x.login(models.RoleExecutive)
		if b := page(x, mine.ID); strings.Contains(b, `data-testid="record-costs"`) || strings.Contains(b, `data-testid="engagement-admin"`) {
			t.Error("an executive sees edit buttons")
		}
		if strings.Contains(x.get("/engagements").Body, `data-testid="new-engagement"`) || strings.Contains(x.get("/vendors/1").Body, `data-testid="vendor-admin"`) {
			t.Error("an executive sees admin buttons")
		}
		m := e.client()
		m.login(models.RoleManager)
		if b := page(m, mine.ID); !strings.Contains(b, `data-testid="record-costs"`) || strings.Contains(b, `data-testid="engagement-admin"`) {
			t.Error("a manager's own engagement: wrong buttons")
		}
		if strings.Contains(page(m, theirs.ID), `data-testid="record-costs"`) {
			t.Error("a manager sees the costs form link of an engagement they do not manage")
		}
		a := e.client()
		a.login(models.RoleAdmin)
		if b := page(a, theirs.ID); !strings.Contains(b, `data-testid="record-costs"`) || !strings.Contains(b, `data-testid="engagement-admin"`) {
			t.Error("an admin lacks edit buttons")
		}
	})
}

// fxEdit opens a stored rate's form in two administrators' sessions.
func fxEdit(t *testing.T, e *env) (rate models.FXRate, a, b url.Values, first, second *client, path string) {
	t.Helper()
	must(t, e.db.Where("rate NOT IN ?", []string{"1.2", "1.3"}).Order("id").First(&rate).Error) // the tests set these
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleAdmin)
	path = fmt.Sprintf("/fx/%d", rate.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#fx-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#fx-form form")
	return rate, a, b, first, second, path
}

// A rate has one field: a save from a form rendered before someone else's that
// sets the rate they set (typed another way) is no conflict, and is told
// whose change it merged with.
func TestFXEditSameChangeMerges(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		rate, a, b, first, second, path := fxEdit(t, e)
		a.Set("rate", "1.2")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("rate", "1.2000")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of the same rate: %d, want 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.FXRate
		e.db.First(&got, rate.ID)
		if got.Rate != "1.2" {
			t.Errorf("stored %q", got.Rate)
		}
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by") {
			t.Errorf("the message does not say it merged: %q", flash)
		}
	})
}

// Where both changed the rate differently, 409 lists the rate with both
// values and stores nothing; saving from the 409 page stores the user's rate.
func TestFXEditConflict(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		rate, a, b, first, second, path := fxEdit(t, e)
		a.Set("rate", "1.2")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		before := rowText(t, e, "fx_rates", rate.ID)
		b.Set("rate", "1.3")
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of another rate: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "fx_rates", rate.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Rate") || !strings.Contains(rows.Text(), "1.2") || !strings.Contains(rows.Text(), "1.3") {
			t.Errorf("the conflict lists %d rows: %q; want the rate with both values", rows.Length(), rows.Text())
		}
		if r := second.post(path, scrapeForm(t, r, "#fx-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.FXRate
		e.db.First(&got, rate.ID)
		if got.Rate != "1.3" {
			t.Errorf("after saving from the 409 page: %q", got.Rate)
		}
	})
}
