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
// red); bad dates 422 with input kept; a stale form 409; another manager's 403.
func TestMilestoneForms(t *testing.T) {
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

		// Done: health recovers; the same form again is stale.
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
		edit.Set("name", "Renamed")
		r = c.post(fmt.Sprintf("/milestones/%d", m.ID), edit)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		if v, _ := r.Doc(t).Find(`input[name="name"]`).Attr("value"); v != "Renamed" {
			t.Errorf("stale form lost the input: %q", v)
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
			!strings.Contains(csv.Body, "Disaster-recovery test signed off") {
			t.Errorf("milestones CSV: %d, %d lines for %d milestones", csv.StatusCode, len(lines)-1, count)
		}
	})
}
