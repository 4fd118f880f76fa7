package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"portfolio/models"
)

// managedEngagements splits the demo engagements into one the demo manager
// manages and one they do not.
func managedEngagements(t *testing.T, e *env) (mine, theirs models.Engagement) {
	t.Helper()
	mgr := demoUser(t, e, models.RoleManager)
	sub := "SELECT engagement_id FROM engagement_managers WHERE user_id = ?"
	if err := e.db.Where("(manager_id = ? OR id IN ("+sub+")) AND closed_on IS NULL", mgr.ID, mgr.ID).Order("id").First(&mine).Error; err != nil {
		t.Fatalf("the demo manager manages nothing: %v", err)
	}
	if err := e.db.Where("(manager_id IS NULL OR manager_id <> ?) AND id NOT IN ("+sub+")", mgr.ID, mgr.ID).Order("id").First(&theirs).Error; err != nil {
		t.Fatal(err)
	}
	return
}

func costPost(tok, month string) url.Values {
	return url.Values{"_csrf": {tok}, "month": {month}, "baseline": {"100,000.00"}, "vendor_fees": {"60,000.00"}, "retained": {"9,000.50"},
		"one_off": {"1,000"}, "credits": {"500"}, "planned_savings": {"25,000"}, "savings_type": {models.SavingsHard}}
}

// A manager records a new month for an engagement they manage: the row (in the
// engagement's currency), its history, and the engagement's refreshed health.
func TestCostCreate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		// A month before any demo record, so it is new.
		var first models.CostRecord
		e.db.Where("engagement_id = ?", mine.ID).Order("month").First(&first)
		mo := models.Date{Time: first.Month.AddDate(0, -1, 0)}
		if first.ID == 0 {
			mo = month(-1)
		}
		month := mo
		c := e.client()
		c.login(models.RoleManager)
		tok := c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID))
		r := c.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), costPost(tok, month.Format("2006-01")))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/engagements/%d/costs", mine.ID) {
			t.Fatalf("create: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		var rec models.CostRecord
		if err := e.db.Where("engagement_id = ? AND month = ?", mine.ID, month).First(&rec).Error; err != nil {
			t.Fatal(err)
		}
		if rec.Baseline != 10_000_000 || rec.Retained != 900_050 || rec.OneOff != 100_000 || rec.Credits != 50_000 ||
			rec.PlannedSavings != 2_500_000 || rec.Currency != mine.Currency || rec.Version != 1 {
			t.Errorf("stored %+v", rec)
		}
		chs := changesOf(t, e, "cost", rec.ID)
		if !hasChange(chs, "baseline", "", "100,000.00") || !hasChange(chs, "month", "", month.String()) {
			t.Errorf("history %+v", chs)
		}
		// The costs page lists it with its net realised savings: 100,000 − (60,000 + 9,000.50 − 500) − 1,000 = 30,499.50.
		page := c.get(fmt.Sprintf("/engagements/%d/costs?page=2", mine.ID)).Body + c.get(fmt.Sprintf("/engagements/%d/costs", mine.ID)).Body
		if !strings.Contains(page, "30,499.50") {
			t.Error("the costs page does not show the month's net realised savings")
		}

		// Another manager's engagement: 403, and nothing stored.
		r = c.post(fmt.Sprintf("/engagements/%d/costs", theirs.ID), costPost(tok, month.Format("2006-01")))
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("wrong manager: %d", r.StatusCode)
		}
		if r := c.get(fmt.Sprintf("/engagements/%d/costs/new", theirs.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("wrong manager's form: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.CostRecord{}).Where("engagement_id = ? AND month = ?", theirs.ID, month).Count(&n)
		if n != 0 {
			t.Error("a record was stored for an engagement the manager does not manage")
		}
		// Executives never write.
		x := e.client()
		x.login(models.RoleExecutive)
		if r := x.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), costPost(x.csrf("/"), month.Format("2006-01"))); r.StatusCode != http.StatusForbidden {
			t.Errorf("executive: %d", r.StatusCode)
		}
	})
}

// Invalid amounts answer 422 with every typed value kept and the errors beside the fields.
func TestCostCreateInvalid(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		c := e.client()
		c.login(models.RoleManager)
		f := costPost(c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID)), "2026-02")
		f.Set("baseline", "-5")
		f.Set("vendor_fees", "12.345")
		f.Set("retained", "1e5")
		f.Set("month", "2027-13")
		f.Set("savings_type", "both")
		r := c.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), f)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, field := range []string{"baseline", "vendor_fees", "retained", "month", "savings_type"} {
			if doc.Find(`[data-testid="error-`+field+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", field)
			}
		}
		if v, _ := doc.Find(`input[name="vendor_fees"]`).Attr("value"); v != "12.345" {
			t.Errorf("vendor fees not kept: %q", v)
		}
		if !strings.Contains(doc.Find(`[data-testid="error-baseline"]`).Text(), "negative") {
			t.Errorf("baseline error: %q", doc.Find(`[data-testid="error-baseline"]`).Text())
		}
		// A future month is refused.
		f = costPost(c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID)), ym(month(1)))
		if r := c.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("future month: %d", r.StatusCode)
		}
		// htmx gets the form partial, not the page.
		f = costPost(c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID)), "")
		r = c.do(http.MethodPost, fmt.Sprintf("/engagements/%d/costs", mine.ID), strings.NewReader(f.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
		if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="cost-form"`) {
			t.Errorf("htmx 422: %d, page=%v", r.StatusCode, strings.Contains(r.Body, "<html"))
		}
	})
}

// "Record a month" opens on the first month not yet recorded. Posting a month
// that has its record already is refused with 409 and a link to edit it: the
// stored row is unchanged to the byte, nothing is added to its history, and
// the user's input is kept. A month opened by ?month= that is recorded opens
// its edit form.
func TestCostRecordedMonthIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		var existing models.CostRecord
		if err := e.db.Where("engagement_id = ?", mine.ID).Order("month DESC").First(&existing).Error; err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(models.RoleManager)
		form := c.get(fmt.Sprintf("/engagements/%d/costs/new", mine.ID))
		next := models.Date{Time: existing.Month.AddDate(0, 1, 0)}
		if v, _ := form.Doc(t).Find(`input[name="month"]`).Attr("value"); v != ym(next) {
			t.Errorf("the new-month form opens on %q, want the first month not recorded, %s", v, ym(next))
		}
		r := c.get(fmt.Sprintf("/engagements/%d/costs/new?month=%s", mine.ID, ym(existing.Month)))
		if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), fmt.Sprintf("/costs/%d/edit", existing.ID)) {
			t.Errorf("new form for a recorded month: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		before := rowText(t, e, "cost_records", existing.ID)
		changes := len(changesOf(t, e, "cost", existing.ID))
		for _, htmx := range []bool{false, true} {
			f := costPost(c.csrf(fmt.Sprintf("/engagements/%d/costs/new", mine.ID)), ym(existing.Month))
			var r resp
			if htmx {
				r = hxPost(c, fmt.Sprintf("/engagements/%d/costs", mine.ID), f)
			} else {
				r = c.post(fmt.Sprintf("/engagements/%d/costs", mine.ID), f)
			}
			if r.StatusCode != http.StatusConflict {
				t.Fatalf("posting a recorded month (htmx %v): %d\n%.400s", htmx, r.StatusCode, r.Body)
			}
			doc := r.Doc(t)
			link, _ := doc.Find(`[data-testid="edit-recorded"]`).Attr("href")
			if link != fmt.Sprintf("/engagements/%d/costs/%d/edit", mine.ID, existing.ID) {
				t.Errorf("the 409 links to %q, not the month's edit form", link)
			}
			if v, _ := doc.Find(`input[name="baseline"]`).Attr("value"); v != "100,000.00" {
				t.Errorf("the input is not kept: baseline %q", v)
			}
		}
		if after := rowText(t, e, "cost_records", existing.ID); after != before {
			t.Errorf("the stored month changed:\n%s\n%s", before, after)
		}
		if n := len(changesOf(t, e, "cost", existing.ID)); n != changes {
			t.Errorf("history rows %d → %d", changes, n)
		}
		var n int64
		e.db.Model(&models.CostRecord{}).Where("engagement_id = ? AND month = ?", mine.ID, existing.Month).Count(&n)
		if n != 1 {
			t.Errorf("%d records of the month", n)
		}
	})
}

// rowText is a stored row as text, every column, to compare a row byte for byte.
func rowText(t *testing.T, e *env, table string, id uint) string {
	t.Helper()
	var row map[string]any
	if err := e.db.Table(table).Where("id = ?", id).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(row))
	for k := range row {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v;", k, row[k])
	}
	return b.String()
}

// costEdit opens the latest recorded month of an engagement the demo manager
// manages in two sessions, an admin's and the manager's: their forms, the
// record as it was and the month's addresses.
func costEdit(t *testing.T, e *env) (rec models.CostRecord, a, b url.Values, first, second *client, update string) {
	t.Helper()
	mine, _ := managedEngagements(t, e)
	if err := e.db.Where("engagement_id = ?", mine.ID).Order("month DESC").First(&rec).Error; err != nil {
		t.Fatal(err)
	}
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	edit := fmt.Sprintf("/engagements/%d/costs/%d/edit", mine.ID, rec.ID)
	a = scrapeForm(t, first.get(edit), "#cost-form form")
	b = scrapeForm(t, second.get(edit), "#cost-form form")
	return rec, a, b, first, second, fmt.Sprintf("/engagements/%d/costs/%d", mine.ID, rec.ID)
}

// Two people editing different figures of one month both keep their change,
// and the second is told whose change theirs was merged with. An amount typed
// again in another way ("60000" for "60,000.00") is not a change.
func TestCostEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		rec, a, b, first, second, update := costEdit(t, e)
		a.Set("planned_savings", "1234.56")
		a.Set("vendor_fees", "1")
		if r := first.post(update, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("baseline", "7")
		b.Set("vendor_fees", strings.ReplaceAll(b.Get("vendor_fees"), ",", ""))
		r := second.post(update, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another figure: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.CostRecord
		e.db.First(&got, rec.ID)
		if got.Baseline != 700 || got.PlannedSavings != 123_456 || got.VendorFees != 100 {
			t.Errorf("after both saves: baseline %d, planned savings %d, vendor fees %d: a change was lost", got.Baseline, got.PlannedSavings, got.VendorFees)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, "cost", rec.ID)
		if !hasChange(chs, "baseline", models.FormatMinor(rec.Baseline, true), "7.00") || !hasChange(chs, "planned_savings", models.FormatMinor(rec.PlannedSavings, true), "1,234.56") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same figure, 409 lists just that one with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the figures the user left alone.
func TestCostEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		rec, a, b, first, second, update := costEdit(t, e)
		a.Set("baseline", "111")
		a.Set("credits", "22")
		if r := first.post(update, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("baseline", "333")
		b.Set("one_off", "44")
		before := rowText(t, e, "cost_records", rec.ID)
		r := second.post(update, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same figure: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "cost_records", rec.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Baseline") || !strings.Contains(rows.Text(), "111.00") || !strings.Contains(rows.Text(), "333.00") {
			t.Errorf("the conflict lists %d rows: %q; want just the baseline, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="credits"]`).AttrOr("value", ""); v != "22.00" {
			t.Errorf("the 409 form does not hold A's credits: %q", v)
		}
		if v := doc.Find(`input[name="baseline"]`).AttrOr("value", ""); v != "333.00" {
			t.Errorf("B's baseline not kept: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(update, scrapeForm(t, r, "#cost-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.CostRecord
		e.db.First(&got, rec.ID)
		if got.Baseline != 33_300 || got.OneOff != 4_400 || got.Credits != 2_200 {
			t.Errorf("after saving from the 409 page: baseline %d, one-off %d, credits %d (A's credits must stay)", got.Baseline, got.OneOff, got.Credits)
		}
	})
}
