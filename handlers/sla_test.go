package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// hxPost submits a form as htmx does (the CSRF token travels in the form here).
func hxPost(c *client, path string, form url.Values) resp {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
}

// isPartial reports a response that is a fragment with the given root id, not a page.
func isPartial(r resp, id string) bool {
	return !strings.Contains(r.Body, "<html") && strings.Contains(r.Body, `id="`+id+`"`)
}

func slaPost(tok string) url.Values {
	return url.Values{"_csrf": {tok}, "name": {"Service desk first-call resolution"}, "target": {"72.5"}, "unit": {"%"},
		"direction": {models.HigherIsBetter}, "credit_pct": {"4"}, "credit_rule": {"4 % of monthly fees when below target"}}
}

// A manager adds, edits and archives a service level of an engagement they
// manage: rows and history stored; bad input 422 with input kept; a stale form
// 409 with both values; another manager's engagement 403 and nothing stored.
func TestSLADefinitionForms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		c := e.client()
		c.login(models.RoleManager)
		tok := c.csrf(fmt.Sprintf("/engagements/%d/slas/new", mine.ID))

		r := c.post(fmt.Sprintf("/engagements/%d/slas", mine.ID), slaPost(tok))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/engagements/%d/slas", mine.ID) {
			t.Fatalf("create: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		var s models.ServiceLevel
		if err := e.db.Where("engagement_id = ? AND name = ?", mine.ID, "Service desk first-call resolution").First(&s).Error; err != nil {
			t.Fatal(err)
		}
		if s.Target != 72_500 || s.CreditPct != 4 || s.Direction != models.HigherIsBetter || s.Version != 1 {
			t.Errorf("stored %+v", s)
		}
		if chs := changesOf(t, e, models.EntitySLA, s.ID); !hasChange(chs, "target", "", "72.5") || !hasChange(chs, "credit_pct", "", "4") {
			t.Errorf("creation history %+v", chs)
		}

		// Invalid: 422, every typed value kept, errors beside the fields.
		bad := slaPost(tok)
		bad.Set("target", "99.12345")
		bad.Set("direction", "sideways")
		bad.Set("credit_pct", "150")
		bad.Set("name", "")
		r = c.post(fmt.Sprintf("/engagements/%d/slas", mine.ID), bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, f := range []string{"name", "target", "direction", "credit_pct"} {
			if doc.Find(`[data-testid="error-`+f+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", f)
			}
		}
		if v, _ := doc.Find(`input[name="target"]`).Attr("value"); v != "99.12345" {
			t.Errorf("target not kept: %q", v)
		}
		if r := hxPost(c, fmt.Sprintf("/engagements/%d/slas", mine.ID), bad); r.StatusCode != http.StatusUnprocessableEntity || !isPartial(r, "sla-form") {
			t.Errorf("htmx 422: %d, partial=%v", r.StatusCode, isPartial(r, "sla-form"))
		}

		// Edit: history of the change; the same form again is stale (409) and keeps the input.
		edit := scrapeForm(t, c.get(fmt.Sprintf("/slas/%d/edit", s.ID)), `#sla-form form`)
		edit.Set("target", "75")
		if r := c.post(fmt.Sprintf("/slas/%d", s.ID), edit); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
		}
		if chs := changesOf(t, e, models.EntitySLA, s.ID); !hasChange(chs, "target", "72.5", "75") {
			t.Errorf("update history %+v", chs)
		}
		edit.Set("target", "80")
		r = c.post(fmt.Sprintf("/slas/%d", s.ID), edit)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		doc = r.Doc(t)
		if v, _ := doc.Find(`input[name="target"]`).Attr("value"); v != "80" {
			t.Errorf("stale form lost the input: %q", v)
		}
		if cur := doc.Find(`[data-testid="conflict-current"]`).Text(); !strings.Contains(cur, "75") {
			t.Errorf("conflict does not show the stored target: %q", cur)
		}
		e.db.First(&s, s.ID)
		if s.Target != 75_000 {
			t.Errorf("stale save stored %d", s.Target)
		}

		// Archive: kept, out of the monthly form, recorded.
		if r := c.post(fmt.Sprintf("/slas/%d/archive", s.ID), url.Values{"_csrf": {tok}, "version": {fmt.Sprint(s.Version)}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d", r.StatusCode)
		}
		e.db.First(&s, s.ID)
		if !s.Archived || !hasChange(changesOf(t, e, models.EntitySLA, s.ID), "archived", "no", "yes") {
			t.Errorf("archived %v", s.Archived)
		}
		if strings.Contains(c.get(fmt.Sprintf("/engagements/%d/slas/results", mine.ID)).Doc(t).Find(`[data-testid="result-line"]`).Text(), "first-call resolution") {
			t.Error("an archived service level is still in the monthly form")
		}

		// Another manager's engagement: 403, nothing stored.
		var before int64
		e.db.Model(&models.ServiceLevel{}).Count(&before)
		if r := c.post(fmt.Sprintf("/engagements/%d/slas", theirs.ID), slaPost(tok)); r.StatusCode != http.StatusForbidden {
			t.Errorf("other manager's engagement: %d", r.StatusCode)
		}
		var their models.ServiceLevel
		e.db.Where("engagement_id = ?", theirs.ID).First(&their)
		if their.ID != 0 {
			f := url.Values{"_csrf": {tok}, "version": {fmt.Sprint(their.Version)}, "name": {"x"}, "target": {"1"}, "unit": {"%"}, "direction": {"higher"}}
			if r := c.post(fmt.Sprintf("/slas/%d", their.ID), f); r.StatusCode != http.StatusForbidden {
				t.Errorf("edit on another manager's engagement: %d", r.StatusCode)
			}
		}
		var after int64
		e.db.Model(&models.ServiceLevel{}).Count(&after)
		if after != before {
			t.Errorf("a refused create stored a row")
		}
	})
}

// resultsForm loads the monthly form of a month and returns its values.
func resultsForm(t *testing.T, c *client, engID uint, month string) url.Values {
	t.Helper()
	r := c.get(fmt.Sprintf("/engagements/%d/slas/results?month=%s", engID, month))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("results form: %d", r.StatusCode)
	}
	return scrapeForm(t, r, `#sla-results-form form`)
}

// One form records a month's results of every live service level: met or
// missed judged and stored, history per result, the engagement's health
// refreshed; a bad value answers 422 with every input kept and nothing stored; a
// second form of the same month is stale (409); another manager's engagement 403.
func TestSLAMonthlyResultsForm(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		slas, _ := models.ListSLAs(t.Context(), e.db, mine.ID, false)
		if len(slas) < 2 {
			t.Fatalf("the demo engagement %s has %d service levels", mine.Code, len(slas))
		}
		c := e.client()
		c.login(models.RoleManager)
		this, next := month(0), month(1) // the first month the demo has not recorded, and a future one
		month := ym(this)
		form := resultsForm(t, c, mine.ID, month)
		first, second := slas[0], slas[1]
		// The first misses its target, the rest meet theirs exactly.
		for _, s := range slas {
			form.Set(fmt.Sprintf("actual_%d", s.ID), models.FormatMilli(s.Target))
		}
		missed := first.Target - 1000
		if first.Direction == models.LowerIsBetter {
			missed = first.Target + 1000
		}
		form.Set(fmt.Sprintf("actual_%d", first.ID), models.FormatMilli(missed))
		form.Set(fmt.Sprintf("note_%d", first.ID), "Outage on the 3rd")

		// Invalid first: nothing is stored, every value is kept.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set(fmt.Sprintf("actual_%d", second.ID), "ninety")
		r := c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if doc.Find(fmt.Sprintf(`[data-testid="error-actual_%d"]`, second.ID)).Length() == 0 {
			t.Error("no error beside the bad value")
		}
		if v, _ := doc.Find(fmt.Sprintf(`input[name="actual_%d"]`, second.ID)).Attr("value"); v != "ninety" {
			t.Errorf("bad value not kept: %q", v)
		}
		if v, _ := doc.Find(fmt.Sprintf(`input[name="note_%d"]`, first.ID)).Attr("value"); v != "Outage on the 3rd" {
			t.Errorf("other inputs not kept: %q", v)
		}
		var n int64
		e.db.Model(&models.SLAMeasurement{}).Where("engagement_id = ? AND month = ?", mine.ID, this).Count(&n)
		if n != 0 {
			t.Fatalf("a refused form stored %d results", n)
		}
		if r := hxPost(c, fmt.Sprintf("/engagements/%d/slas/results", mine.ID), bad); r.StatusCode != http.StatusUnprocessableEntity || !isPartial(r, "sla-results-form") {
			t.Errorf("htmx 422: %d partial=%v", r.StatusCode, isPartial(r, "sla-results-form"))
		}

		r = c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), form)
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), fmt.Sprintf("/engagements/%d", mine.ID)) {
			t.Fatalf("save: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		var ms []models.SLAMeasurement
		e.db.Where("engagement_id = ? AND month = ?", mine.ID, this).Order("service_level_id").Find(&ms)
		if len(ms) != len(slas) {
			t.Fatalf("%d results stored, want %d", len(ms), len(slas))
		}
		for _, m := range ms {
			if want := m.ServiceLevelID != first.ID; m.Met != want {
				t.Errorf("SLA %d: met=%v, want %v", m.ServiceLevelID, m.Met, want)
			}
			if m.ServiceLevelID == first.ID && (m.Actual != missed || m.Note != "Outage on the 3rd") {
				t.Errorf("stored %+v", m)
			}
			if chs := changesOf(t, e, models.EntitySLAMeasurement, m.ID); len(chs) == 0 || chs[0].Action != "create" {
				t.Errorf("no history for result %d", m.ID)
			}
		}
		var eng models.Engagement
		e.db.First(&eng, mine.ID)
		if eng.HealthOn != models.DateOf(e.now) {
			t.Errorf("health not refreshed: health_on %s", eng.HealthOn)
		}
		page := c.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t)
		if !strings.Contains(page.Find(`[data-testid="slas"]`).Text(), this.Format("Jan 06")) {
			t.Errorf("the engagement page does not show %s's results", this.Format("January"))
		}

		// The form loaded before the save is stale now: 409, input kept, the stored value shown.
		form.Set(fmt.Sprintf("actual_%d", first.ID), models.FormatMilli(first.Target))
		r = c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), form)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		doc = r.Doc(t)
		if v, _ := doc.Find(fmt.Sprintf(`input[name="actual_%d"]`, first.ID)).Attr("value"); v != models.FormatMilli(first.Target) {
			t.Errorf("stale form lost the input: %q", v)
		}
		if !strings.Contains(doc.Find(`[data-testid="conflict"]`).Text(), models.FormatMilli(missed)) {
			t.Error("the conflict does not show the stored result")
		}
		// Saving the 409 form again is a deliberate correction.
		again := scrapeForm(t, r, `#sla-results-form form`)
		if r := c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), again); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("resave: %d", r.StatusCode)
		}
		var m models.SLAMeasurement
		e.db.Where("service_level_id = ? AND month = ?", first.ID, this).First(&m)
		if !m.Met || m.Version != 2 || !hasChange(changesOf(t, e, models.EntitySLAMeasurement, m.ID), "actual", models.FormatMilli(missed), models.FormatMilli(first.Target)) {
			t.Errorf("correction %+v", m)
		}

		// A future month is refused; another manager's engagement is forbidden.
		form.Set("month", ym(next))
		if r := c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), form); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("future month: %d", r.StatusCode)
		}
		if r := c.get(fmt.Sprintf("/engagements/%d/slas/results", theirs.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("other manager's form: %d", r.StatusCode)
		}
		if r := c.post(fmt.Sprintf("/engagements/%d/slas/results", theirs.ID), url.Values{"_csrf": {form.Get("_csrf")}, "month": {month}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("other manager's save: %d", r.StatusCode)
		}
	})
}

// The service-level page shows attainment, breaches with the credits due from
// the month's vendor fees, and exports both lists.
func TestSLAPageAndExports(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var b struct {
			EngagementID uint
			N            int64
		}
		e.db.Raw("SELECT engagement_id, COUNT(*) AS n FROM sla_measurements WHERE NOT met GROUP BY engagement_id ORDER BY n DESC, engagement_id LIMIT 1").Scan(&b)
		if b.N == 0 {
			t.Fatal("the demo has no breaches")
		}
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.get(fmt.Sprintf("/engagements/%d/slas", b.EngagementID))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("page: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="breach-row"]`).Length()
		if want := min(b.N, 25); int64(rows) != want {
			t.Errorf("%d breach rows, want %d", rows, want)
		}
		if doc.Find(`[data-testid="record-results"]`).Length() != 0 {
			t.Error("an executive is offered the monthly form")
		}
		if doc.Find(`[data-testid="sla-attainment"] [data-testid="attainment-total"]`).Length() == 0 || doc.Find(`[data-testid^="trend-"]`).Length() == 0 {
			t.Error("attainment or trends missing")
		}
		// The first breach's credit, worked out from its month's cost record.
		var first models.SLABreach
		list, _, _ := models.ListSLABreaches(t.Context(), e.db, b.EngagementID, 1, 1)
		first = list[0]
		want := "No cost record"
		if m, ok := first.Credit(); ok {
			want = m.String()
		}
		if got := doc.Find(`[data-testid="credit-due"]`).First().Text(); !strings.Contains(got, want) {
			t.Errorf("first credit %q, want %q", got, want)
		}

		csv := c.get(fmt.Sprintf("/engagements/%d/slas/breaches/export?format=csv", b.EngagementID))
		lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
		if csv.StatusCode != http.StatusOK || !strings.HasPrefix(lines[0], "\uFEFFEngagement,Month,Service level") || int64(len(lines)-1) != b.N {
			t.Errorf("breaches CSV: %d, %d lines for %d breaches", csv.StatusCode, len(lines)-1, b.N)
		}
		var results int64
		e.db.Model(&models.SLAMeasurement{}).Where("engagement_id = ?", b.EngagementID).Count(&results)
		csv = c.get(fmt.Sprintf("/engagements/%d/slas/results/export?format=csv", b.EngagementID))
		if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); int64(len(lines)-1) != results {
			t.Errorf("results CSV: %d lines for %d results", len(lines)-1, results)
		}
		x := c.get(fmt.Sprintf("/engagements/%d/slas/results/export?format=xlsx", b.EngagementID))
		if x.StatusCode != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("results XLSX: %d %s", x.StatusCode, x.Header.Get("Content-Type"))
		}
		if r := c.get(fmt.Sprintf("/engagements/%d/slas/results/export?format=pdf", b.EngagementID)); r.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown format: %d", r.StatusCode)
		}
		// The pager's htmx request gets the breaches partial.
		if r := c.htmx(fmt.Sprintf("/engagements/%d/slas?page=1", b.EngagementID)); !isPartial(r, "sla-breaches") {
			t.Errorf("htmx pager: not the partial")
		}
	})
}

// "Record a month's results" opens on the first month not yet recorded; a
// month posted as new that has its results already is refused with 409, its
// stored results unchanged to the byte, and the form links to that month.
func TestSLARecordedMonthIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		c := e.client()
		c.login(models.RoleManager)
		doc := c.get(fmt.Sprintf("/engagements/%d/slas/results", mine.ID)).Doc(t)
		if v, _ := doc.Find(`input[name="month"][type="month"]`).Attr("value"); v != ym(month(0)) {
			t.Errorf("the form opens on %q, want the first month not recorded, %s", v, ym(month(0)))
		}
		last := month(-1)
		var held []models.SLAMeasurement
		e.db.Where("engagement_id = ? AND month = ?", mine.ID, last).Order("id").Find(&held)
		if len(held) == 0 {
			t.Fatalf("the demo has no results of %s", ym(last))
		}
		before := map[uint]string{}
		for _, m := range held {
			before[m.ID] = rowText(t, e, "sla_measurements", m.ID)
		}
		// A form for this month (nothing recorded, no versions) posted for last month.
		form := resultsForm(t, c, mine.ID, ym(month(0)))
		form.Set("month", ym(last))
		for _, m := range held {
			form.Set(fmt.Sprintf("actual_%d", m.ServiceLevelID), "1")
		}
		r := c.post(fmt.Sprintf("/engagements/%d/slas/results", mine.ID), form)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("posting a recorded month: %d", r.StatusCode)
		}
		for _, m := range held {
			if after := rowText(t, e, "sla_measurements", m.ID); after != before[m.ID] {
				t.Errorf("a stored result changed:\n%s\n%s", before[m.ID], after)
			}
		}
		if link, _ := r.Doc(t).Find(`[data-testid="open-recorded"]`).Attr("href"); link != fmt.Sprintf("/engagements/%d/slas/results?month=%s", mine.ID, ym(last)) {
			t.Errorf("the 409 links to %q", link)
		}
	})
}

// slaEdit opens a service level of an engagement the demo manager manages in
// two sessions, an admin's and the manager's.
func slaEdit(t *testing.T, e *env) (s models.ServiceLevel, a, b url.Values, first, second *client, path string) {
	t.Helper()
	mine, _ := managedEngagements(t, e)
	if err := e.db.Where("engagement_id = ? AND NOT archived", mine.ID).Order("id").First(&s).Error; err != nil {
		t.Fatalf("no service level: %v", err)
	}
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	path = fmt.Sprintf("/slas/%d", s.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#sla-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#sla-form form")
	return s, a, b, first, second, path
}

// Two people editing different fields of one service level both keep their
// change, and the second is told whose change theirs was merged with. A
// target typed again with a trailing zero is not a change.
func TestSLAEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		s, a, b, first, second, path := slaEdit(t, e)
		a.Set("credit_rule", "A's rule")
		a.Set("target", "12.5")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		target := b.Get("target")
		if !strings.Contains(target, ".") {
			target += "."
		}
		b.Set("target", target+"0") // the same figure typed another way
		b.Set("name", "B's service level")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.ServiceLevel
		e.db.First(&got, s.ID)
		if got.CreditRule != "A's rule" || got.Target != 12_500 || got.Name != "B's service level" {
			t.Errorf("after both saves: rule %q, target %d, name %q: a change was lost", got.CreditRule, got.Target, got.Name)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.EntitySLA, s.ID)
		if !hasChange(chs, "credit_rule", s.CreditRule, "A's rule") || !hasChange(chs, "name", s.Name, "B's service level") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestSLAEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		s, a, b, first, second, path := slaEdit(t, e)
		a.Set("target", "91.5")
		a.Set("unit", "hours")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("target", "92.25")
		b.Set("credit_pct", "7")
		before := rowText(t, e, "service_levels", s.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "service_levels", s.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Target") || !strings.Contains(rows.Text(), "91.5") || !strings.Contains(rows.Text(), "92.25") {
			t.Errorf("the conflict lists %d rows: %q; want just the target, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="unit"]`).AttrOr("value", ""); v != "hours" {
			t.Errorf("the 409 form does not hold A's unit: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#sla-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.ServiceLevel
		e.db.First(&got, s.ID)
		if got.Target != 92_250 || got.CreditPct != 7 || got.Unit != "hours" {
			t.Errorf("after saving from the 409 page: target %d, credit %d, unit %q (A's unit must stay)", got.Target, got.CreditPct, got.Unit)
		}
	})
}

// The month's grid runs the edit forms' cycle: two people recording different
// service levels' results of one month both keep theirs (the second save is
// merged and says with whose change); the same line changed by both is 409
// listing just that line, nothing stored; saving from the 409 page keeps the
// other's line.
func TestSLAResultsGridMerges(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		slas, _ := models.ListSLAs(t.Context(), e.db, mine.ID, false)
		if len(slas) < 2 {
			t.Fatalf("%s has %d service levels", mine.Code, len(slas))
		}
		first, second := slas[0], slas[1]
		path := fmt.Sprintf("/engagements/%d/slas/results", mine.ID)
		a, b := e.client(), e.client()
		a.login(models.RoleAdmin)
		b.login(models.RoleManager)
		this := ym(month(0))
		fa, fb := resultsForm(t, a, mine.ID, this), resultsForm(t, b, mine.ID, this)
		fa.Set(fmt.Sprintf("actual_%d", first.ID), models.FormatMilli(first.Target))
		if r := a.post(path, fa); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A records the first line: %d", r.StatusCode)
		}
		fb.Set(fmt.Sprintf("actual_%d", second.ID), models.FormatMilli(second.Target))
		r := b.post(path, fb)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B records the second line from a form rendered before: %d, want merged\n%.600s", r.StatusCode, r.Body)
		}
		var ms []models.SLAMeasurement
		e.db.Where("engagement_id = ? AND month = ?", mine.ID, month(0)).Find(&ms)
		if len(ms) != 2 {
			t.Fatalf("%d results stored, want both lines", len(ms))
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := b.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("B's message: %q", flash)
		}
		// Both change the first line again, differently.
		fa, fb = resultsForm(t, a, mine.ID, this), resultsForm(t, b, mine.ID, this)
		fa.Set(fmt.Sprintf("actual_%d", first.ID), "1")
		fa.Set(fmt.Sprintf("note_%d", second.ID), "A's note")
		if r := a.post(path, fa); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A corrects: %d", r.StatusCode)
		}
		var before models.SLAMeasurement
		e.db.Where("service_level_id = ? AND month = ?", first.ID, month(0)).First(&before)
		row := rowText(t, e, "sla_measurements", before.ID)
		fb.Set(fmt.Sprintf("actual_%d", first.ID), "2")
		r = b.post(path, fb)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B corrects the same line: %d, want 409", r.StatusCode)
		}
		rows := r.Doc(t).Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), first.Name) {
			t.Errorf("the conflict lists %q, want just %s's result", rows.Text(), first.Name)
		}
		if after := rowText(t, e, "sla_measurements", before.ID); after != row || before.Actual != 1000 {
			t.Errorf("the 409 stored something, or A's 1 is not stored (%d)", before.Actual)
		}
		if r := b.post(path, scrapeForm(t, r, `#sla-results-form form[method="post"]`)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d", r.StatusCode)
		}
		var note models.SLAMeasurement
		e.db.Where("service_level_id = ? AND month = ?", second.ID, month(0)).First(&note)
		if note.Note != "A's note" {
			t.Errorf("saving from the 409 page lost A's note: %q", note.Note)
		}
	})
}
