package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// A manager plans and updates milestones of an engagement they manage: rows
// and history stored, health refreshed (a key milestone 31 days late turns it
// red); bad dates 422 with input kept; a stale form merged; another manager's 403.
func TestMilestoneForms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedEngagements(t, e)
		c := e.client()
		c.login(models.RoleManager)
		today := models.DateOf(e.now)
		tok := c.csrf(fmt.Sprintf("/engagements/%d/milestones/new", mine.ID))
		form := url.Values{"_csrf": {tok}, "phase": {mine.Phase}, "name": {"Disaster-recovery test signed off"}, "is_key": {"1"},
			"planned": {today.AddDays(-31).String()}, "forecast": {today.AddDays(10).String()}}
		r := c.post(fmt.Sprintf("/engagements/%d/milestones", mine.ID), form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var m models.Milestone
		if err := e.db.Where("engagement_id = ? AND name = ?", mine.ID, "Disaster-recovery test signed off").First(&m).Error; err != nil {
			t.Fatal(err)
		}
		if !m.IsKey || m.Planned != today.AddDays(-31) || m.Version != 1 {
			t.Errorf("stored %+v", m)
		}
		if !hasChange(changesOf(t, e, models.EntityMilestone, m.ID), "planned", "", today.AddDays(-31).String()) {
			t.Error("no creation history")
		}
		var eng models.Engagement
		e.db.First(&eng, mine.ID)
		if eng.Health != models.Red || !strings.Contains(eng.HealthReasons, "key milestone") {
			t.Errorf("health %s (%s), want red for a key milestone 31 days late", eng.Health, eng.HealthReasons)
		}
		list := c.get(fmt.Sprintf("/engagements/%d/milestones", mine.ID)).Doc(t)
		if !strings.Contains(list.Find(`[data-testid="milestone-list"]`).Text(), "31 days overdue") {
			t.Error("the list does not show the slippage")
		}

		// Invalid: no planned date, done in the future; input kept.
		bad := url.Values{"_csrf": {tok}, "phase": {"Orbit"}, "name": {"Half-done"}, "actual": {today.AddDays(5).String()}}
		r = c.post(fmt.Sprintf("/engagements/%d/milestones", mine.ID), bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, f := range []string{"phase", "planned", "actual"} {
			if doc.Find(`[data-testid="error-`+f+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", f)
			}
		}
		if v, _ := doc.Find(`input[name="name"]`).Attr("value"); v != "Half-done" {
			t.Errorf("name not kept: %q", v)
		}
		if r := hxPost(c, fmt.Sprintf("/engagements/%d/milestones", mine.ID), bad); r.StatusCode != http.StatusUnprocessableEntity || !isPartial(r, "milestone-form") {
			t.Errorf("htmx 422: %d", r.StatusCode)
		}

		// Done: health recovers.
		edit := scrapeForm(t, c.get(fmt.Sprintf("/milestones/%d/edit", m.ID)), `#milestone-form form`)
		edit.Set("actual", today.String())
		if r := c.post(fmt.Sprintf("/milestones/%d", m.ID), edit); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
		}
		if !hasChange(changesOf(t, e, models.EntityMilestone, m.ID), "actual", "", today.String()) {
			t.Error("no update history")
		}
		e.db.First(&eng, mine.ID)
		if strings.Contains(eng.HealthReasons, "key milestone") {
			t.Errorf("health still names the key milestone: %s", eng.HealthReasons)
		}
		// The same form, now stale, renaming it: merged, the actual date
		// saved before kept.
		edit.Set("name", "Renamed")
		r = c.post(fmt.Sprintf("/milestones/%d", m.ID), edit)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("stale form changing another field: %d, want a merge", r.StatusCode)
		}
		if e.db.First(&m, m.ID); m.Name != "Renamed" || m.Actual != today {
			t.Errorf("after the merged save: name %q, actual %s", m.Name, m.Actual)
		}

		// Another manager's engagement and milestone: 403, nothing stored.
		var n1, n2 int64
		e.db.Model(&models.Milestone{}).Count(&n1)
		if r := c.post(fmt.Sprintf("/engagements/%d/milestones", theirs.ID), form); r.StatusCode != http.StatusForbidden {
			t.Errorf("create on another's engagement: %d", r.StatusCode)
		}
		var their models.Milestone
		if e.db.Where("engagement_id = ?", theirs.ID).First(&their).Error == nil {
			f := scrapeForm(t, c.get(fmt.Sprintf("/milestones/%d/edit", m.ID)), `#milestone-form form`)
			f.Set("version", fmt.Sprint(their.Version))
			if r := c.post(fmt.Sprintf("/milestones/%d", their.ID), f); r.StatusCode != http.StatusForbidden {
				t.Errorf("edit of another's milestone: %d", r.StatusCode)
			}
		}
		e.db.Model(&models.Milestone{}).Count(&n2)
		if n1 != n2 {
			t.Error("a refused create stored a row")
		}

		// Export.
		csv := c.get(fmt.Sprintf("/engagements/%d/milestones/export?format=csv", mine.ID))
		var count int64
		e.db.Model(&models.Milestone{}).Where("engagement_id = ?", mine.ID).Count(&count)
		if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); csv.StatusCode != http.StatusOK || int64(len(lines)-1) != count ||
			!strings.Contains(csv.Body, "Renamed") {
			t.Errorf("milestones CSV: %d, %d lines for %d milestones", csv.StatusCode, len(lines)-1, count)
		}
	})
}

// milestoneEdit opens a key milestone of an engagement the demo manager
// manages in two sessions, an admin's and the manager's.
func milestoneEdit(t *testing.T, e *env) (m models.Milestone, a, b url.Values, first, second *client, path string) {
	t.Helper()
	mine, _ := managedEngagements(t, e)
	if err := e.db.Where("engagement_id = ?", mine.ID).Order("id").First(&m).Error; err != nil {
		t.Fatalf("no milestone: %v", err)
	}
	if err := e.db.Model(&m).Update("is_key", true).Error; err != nil {
		t.Fatal(err)
	}
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	path = fmt.Sprintf("/milestones/%d", m.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#milestone-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#milestone-form form")
	return m, a, b, first, second, path
}

// Two people editing different fields of one milestone both keep their
// change, and the second is told whose change theirs was merged with.
// Unticking "key" is a change too (the form sends a hidden "0").
func TestMilestoneEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		m, a, _, first, second, path := milestoneEdit(t, e)
		b := scrapeUnticked(t, second.get(path+"/edit"), "#milestone-form form", "is_key")
		forecast := today().AddDays(123)
		a.Set("forecast", forecast.String())
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("name", "B's milestone")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of other fields: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Milestone
		e.db.First(&got, m.ID)
		if got.Forecast != forecast || got.Name != "B's milestone" || got.IsKey {
			t.Errorf("after both saves: forecast %s, name %q, key %v: a change was lost", got.Forecast, got.Name, got.IsKey)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.EntityMilestone, m.ID)
		if !hasChange(chs, "forecast", m.Forecast.String(), forecast.String()) || !hasChange(chs, "name", m.Name, "B's milestone") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestMilestoneEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		m, a, b, first, second, path := milestoneEdit(t, e)
		theirs, yours, forecast := today().AddDays(-77), today().AddDays(-88), today().AddDays(99)
		a.Set("planned", theirs.String())
		a.Set("name", "A's milestone")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("planned", yours.String())
		b.Set("forecast", forecast.String())
		before := rowText(t, e, "milestones", m.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "milestones", m.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Planned") || !strings.Contains(rows.Text(), theirs.String()) || !strings.Contains(rows.Text(), yours.String()) {
			t.Errorf("the conflict lists %d rows: %q; want just the planned date, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="name"]`).AttrOr("value", ""); v != "A's milestone" {
			t.Errorf("the 409 form does not hold A's name: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#milestone-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Milestone
		e.db.First(&got, m.ID)
		if got.Planned != yours || got.Forecast != forecast || got.Name != "A's milestone" || !got.IsKey {
			t.Errorf("after saving from the 409 page: planned %s, forecast %s, name %q, key %v (A's name must stay)", got.Planned, got.Forecast, got.Name, got.IsKey)
		}
	})
}
