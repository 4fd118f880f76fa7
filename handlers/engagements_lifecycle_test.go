package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// Moving a BOT programme to Transferred records the move (phase_changes and
// history) and its actual transfer date; a stale form answers 409.
func TestEngagementMoveBOTToTransferred(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var bot models.Engagement
		if err := e.db.Where("model = ? AND phase = ? AND closed_on IS NULL", models.ModelBOT, "Transfer").Order("id").First(&bot).Error; err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(models.RoleAdmin)
		page := fmt.Sprintf("/engagements/%d/lifecycle", bot.ID)
		form := scrapeForm(t, c.get(page), `[data-testid="move-form"]`)
		if form.Get("to") != "Transferred" {
			t.Errorf("the move form proposes %q, not the next phase", form.Get("to"))
		}
		today := models.DateOf(dbtest.Now())
		form.Set("on", today.String())
		r := c.post(fmt.Sprintf("/engagements/%d/phase", bot.ID), form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, bot.ID)
		if got.Phase != "Transferred" || got.ActualTransfer != today || got.Version != bot.Version+1 {
			t.Errorf("after the move: phase %s, actual transfer %v, version %d", got.Phase, got.ActualTransfer, got.Version)
		}
		var pc models.PhaseChange
		e.db.Where("engagement_id = ?", bot.ID).Order("id DESC").First(&pc)
		if pc.FromPhase != "Transfer" || pc.ToPhase != "Transferred" || pc.ChangedOn != today || pc.UserID == nil {
			t.Errorf("phase change %+v", pc)
		}
		chs := changesOf(t, e, "engagement", bot.ID)
		if !hasChange(chs, "phase", "Transfer", "Transferred") || !hasChange(chs, "actual_transfer", "", today.String()) {
			t.Errorf("history %+v", chs)
		}
		// The same form again is stale.
		r = c.post(fmt.Sprintf("/engagements/%d/phase", bot.ID), form)
		if r.StatusCode != http.StatusConflict || r.Doc(t).Find(`[data-testid="conflict"]`).Length() == 0 {
			t.Errorf("stale move: %d", r.StatusCode)
		}
		// A move may not be dated before the previous one, nor into the future.
		form = scrapeForm(t, c.get(page), `[data-testid="move-form"]`)
		form.Set("to", "Transfer")
		form.Set("on", today.AddDays(1).String())
		if r := c.post(fmt.Sprintf("/engagements/%d/phase", bot.ID), form); r.StatusCode != http.StatusUnprocessableEntity ||
			r.Doc(t).Find(`[data-testid="error-on"]`).Length() == 0 {
			t.Errorf("future move: %d", r.StatusCode)
		}
		// Managers cannot move phases.
		m := e.client()
		m.login(models.RoleManager)
		if r := m.post(fmt.Sprintf("/engagements/%d/phase", bot.ID), url.Values{"_csrf": {m.csrf("/")}, "to": {"Operate"}, "on": {today.String()}, "version": {"1"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager move: %d", r.StatusCode)
		}
	})
}

// Closing an ITO contract ends it on a date: it stays in the list (status
// filter) and its past costs still count; reopening undoes it.
func TestEngagementCloseAndReopen(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var ito models.Engagement
		e.db.Where("model = ? AND phase = ? AND closed_on IS NULL", models.ModelITO, "Run").Order("id").First(&ito)
		c := e.client()
		c.login(models.RoleAdmin)
		page := fmt.Sprintf("/engagements/%d/lifecycle", ito.ID)
		form := scrapeForm(t, c.get(page), `[data-testid="close-form"]`)
		today := models.DateOf(dbtest.Now())
		form.Set("close_on", today.String())
		if r := c.post(fmt.Sprintf("/engagements/%d/close", ito.ID), form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, ito.ID)
		if got.ClosedOn != today || got.Phase != "Ended" {
			t.Errorf("closed %v, phase %s", got.ClosedOn, got.Phase)
		}
		if !hasChange(changesOf(t, e, "engagement", ito.ID), "closed_on", "", today.String()) {
			t.Error("closure not in the history")
		}
		closed := c.get("/engagements?status=closed&q=" + url.QueryEscape(ito.Code)).Body
		active := c.get("/engagements?status=active&q=" + url.QueryEscape(ito.Code)).Body
		if !strings.Contains(closed, ito.Name) || strings.Contains(active, ">"+ito.Name+"<") {
			t.Error("the status filter does not separate the closed engagement")
		}
		if r := c.get(fmt.Sprintf("/engagements/%d", ito.ID)); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Closed") {
			t.Errorf("closed engagement page: %d", r.StatusCode)
		}
		form = scrapeForm(t, c.get(page), `[data-testid="reopen-form"]`)
		if r := c.post(fmt.Sprintf("/engagements/%d/reopen", ito.ID), form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reopen: %d", r.StatusCode)
		}
		got = models.Engagement{} // GORM leaves a field as it was when the column is NULL
		e.db.First(&got, ito.ID)
		if !got.ClosedOn.IsZero() || got.Phase != "Run" {
			t.Errorf("after reopening: closed %v, phase %s", got.ClosedOn, got.Phase)
		}
	})
}
