package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
)

// Mitigation actions are added and edited on the risk page, with and without
// htmx; each change is in the risk page's history; bad input is a 422 and a
// stale form a 409, neither stored.
func TestRiskMitigationActions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		page := fmt.Sprintf("/risks/%d", f.mine.ID)
		c := e.client()
		c.login(models.RoleManager)
		me := demoUser(t, e, models.RoleManager)

		add := scrapeForm(t, c.get(page), `[data-testid="action-form-0"]`)
		add.Set("action", "Name a deputy for every key role")
		add.Set("owner_id", fmt.Sprint(me.ID))
		add.Set("due", today().AddDays(8).String())
		r := c.post(page+"/actions", add)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d\n%.400s", r.StatusCode, r.Body)
		}
		var m models.MitigationAction
		if err := e.db.Where("risk_id = ? AND action = ?", f.mine.ID, "Name a deputy for every key role").First(&m).Error; err != nil {
			t.Fatal(err)
		}
		if m.OwnerID == nil || *m.OwnerID != me.ID || m.Due != today().AddDays(8) || m.Status != "planned" {
			t.Errorf("stored action: %+v", m)
		}

		// Edit with htmx: the section comes back, the history swaps out of band.
		edit := scrapeForm(t, c.get(page), fmt.Sprintf(`[data-testid="action-form-%d"]`, m.ID))
		edit.Set("status", "in progress")
		r = c.send(http.MethodPost, fmt.Sprintf("%s/actions/%d", page, m.ID), edit, hxHeaders)
		if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "<html") {
			t.Fatalf("htmx edit: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if doc.Find(`#risk-actions`).Length() != 1 || doc.Find(`#risk-history[hx-swap-oob]`).Length() != 1 {
			t.Error("the answer lacks the actions section or the out-of-band history")
		}
		if !strings.Contains(doc.Find(`#risk-history`).Text(), "in progress") {
			t.Error("the history does not show the status change")
		}
		chs := changesOf(t, e, models.MitigationEntity, m.ID)
		if !hasChange(chs, "status", "planned", "in progress") || !hasChange(chs, "action", "", m.Action) {
			t.Errorf("action history: %+v", chs)
		}

		// Invalid: 422 with the form open and the input kept.
		bad := scrapeForm(t, c.get(page), `[data-testid="action-form-0"]`)
		bad.Set("action", "")
		bad.Set("due", "15/12/2026")
		r = c.send(http.MethodPost, page+"/actions", bad, hxHeaders)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid action: %d", r.StatusCode)
		}
		doc = r.Doc(t)
		if doc.Find(`details[open] [data-testid="error-action"]`).Length() != 1 || doc.Find(`[data-testid="error-due"]`).Length() != 1 {
			t.Error("errors not beside the fields")
		}
		if v := doc.Find(`[data-testid="action-form-0"] input[name="due"]`).AttrOr("value", ""); v != "15/12/2026" {
			t.Errorf("input not kept: %q", v)
		}

		// Stale: a form loaded before the edit above.
		edit.Set("status", "done")
		r = c.send(http.MethodPost, fmt.Sprintf("%s/actions/%d", page, m.ID), edit, hxHeaders)
		if r.StatusCode != http.StatusConflict || r.Doc(t).Find(`[data-testid="conflict"]`).Length() != 1 {
			t.Errorf("stale action save: %d", r.StatusCode)
		}
		e.db.First(&m, m.ID)
		if m.Status != "in progress" {
			t.Errorf("the stale save was stored: %s", m.Status)
		}

		// Others may not touch the actions of a risk that is not theirs.
		other := scrapeForm(t, c.get(page), `[data-testid="action-form-0"]`)
		other.Set("action", "Sneaky")
		if r := c.post(fmt.Sprintf("/risks/%d/actions", f.theirs.ID), other); r.StatusCode != http.StatusForbidden {
			t.Errorf("action on another's risk: %d", r.StatusCode)
		}
		if c.get(fmt.Sprintf("/risks/%d", f.theirs.ID)).Doc(t).Find(`[data-testid="action-form-0"]`).Length() != 0 {
			t.Error("another's risk page offers the action form")
		}
	})
}
