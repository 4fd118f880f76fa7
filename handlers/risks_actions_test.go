package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// Mitigation actions are added and edited on the risk page, with and without
// htmx; each change is in the risk page's history; bad input is a 422 and a
// stale form a 409, neither stored.
func TestRiskMitigationActions(t *testing.T) {
	t.Parallel()
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
		if doc.Find(`#risk-actions`).Length() != 1 || doc.Find(`#risk-history[hx-swap-oob="true"]`).Length() != 1 {
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

// actionEdit adds a mitigation action to a risk the demo manager manages and
// opens its edit form in two sessions, an admin's and the manager's.
func actionEdit(t *testing.T, e *env) (m models.MitigationAction, a, b url.Values, first, second *client, page, path string) {
	t.Helper()
	f := pickRisks(t, e)
	page = fmt.Sprintf("/risks/%d", f.mine.ID)
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	add := scrapeForm(t, second.get(page), `[data-testid="action-form-0"]`)
	add.Set("action", "Name a deputy for every key role")
	add.Set("due", today().AddDays(8).String())
	if r := second.post(page+"/actions", add); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add an action: %d", r.StatusCode)
	}
	if err := e.db.Where("risk_id = ? AND action = ?", f.mine.ID, "Name a deputy for every key role").First(&m).Error; err != nil {
		t.Fatal(err)
	}
	path = fmt.Sprintf("%s/actions/%d", page, m.ID)
	sel := fmt.Sprintf(`[data-testid="action-form-%d"]`, m.ID)
	a, b = scrapeForm(t, first.get(page), sel), scrapeForm(t, second.get(page), sel)
	return m, a, b, first, second, page, path
}

// Two people changing different fields of one mitigation action both keep
// their change, and the second is told whose change theirs was merged with
// (in the flash, or in the section's status line for htmx).
func TestActionEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		m, a, b, first, second, _, path := actionEdit(t, e)
		a.Set("status", "in progress")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("due", today().AddDays(20).String())
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.MitigationAction
		e.db.First(&got, m.ID)
		if got.Status != "in progress" || got.Due != today().AddDays(20) {
			t.Errorf("after both saves: status %q, due %v: a change was lost", got.Status, got.Due)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.MitigationEntity, m.ID)
		if !hasChange(chs, "status", "planned", "in progress") || !hasChange(chs, "due", m.Due.String(), today().AddDays(20).String()) {
			t.Errorf("the history lacks one of the two changes: %+v", chs)
		}
		// With htmx, A's form again (rendered before B's save): the section says so.
		a.Set("action", "Name a deputy for every key role, in writing")
		r = first.send(http.MethodPost, path, a, hxHeaders)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc(t).Find(`[data-testid="action-saved"]`).Text(), "merged with a change") {
			t.Errorf("htmx merge: %d, status line %q", r.StatusCode, r.Doc(t).Find(`[data-testid="action-saved"]`).Text())
		}
		e.db.First(&got, m.ID)
		if got.Action != "Name a deputy for every key role, in writing" || got.Status != "in progress" || got.Due != today().AddDays(20) {
			t.Errorf("after the htmx merge: %+v", got)
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestActionEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		m, a, b, first, second, _, path := actionEdit(t, e)
		a.Set("status", "done")
		a.Set("action", "A's wording")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("status", "in progress")
		b.Set("due", today().AddDays(20).String())
		before := rowText(t, e, "mitigation_actions", m.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "mitigation_actions", m.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		sel := fmt.Sprintf(`[data-testid="action-form-%d"]`, m.ID)
		rows := doc.Find(sel + ` [data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Status") || !strings.Contains(rows.Text(), "done") || !strings.Contains(rows.Text(), "in progress") {
			t.Errorf("the conflict lists %d rows: %q; want just the status, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(sel+` input[name="action"]`).AttrOr("value", ""); v != "A's wording" {
			t.Errorf("the 409 form does not hold A's wording: %q", v)
		}
		if doc.Find(`details[open] `+sel).Length() != 1 {
			t.Error("the refused form is not open")
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, sel)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.MitigationAction
		e.db.First(&got, m.ID)
		if got.Status != "in progress" || got.Due != today().AddDays(20) || got.Action != "A's wording" {
			t.Errorf("after saving from the 409 page: status %q, due %v, action %q (A's wording must stay)", got.Status, got.Due, got.Action)
		}
	})
}
