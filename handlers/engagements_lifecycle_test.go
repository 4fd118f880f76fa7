package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// Moving a BOT programme to Transferred records the move (phase_changes and
// history) and its actual transfer date; the same form again moves nothing.
func TestEngagementMoveBOTToTransferred(t *testing.T) {
	t.Parallel()
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
		// The same form again asks for the move made already: that is no
		// conflict (the same change), and nothing is moved twice.
		var moves int64
		e.db.Model(&models.PhaseChange{}).Where("engagement_id = ?", bot.ID).Count(&moves)
		r = c.post(fmt.Sprintf("/engagements/%d/phase", bot.ID), form)
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("the same move again: %d, want 303", r.StatusCode)
		}
		var again int64
		e.db.Model(&models.PhaseChange{}).Where("engagement_id = ?", bot.ID).Count(&again)
		got = models.Engagement{}
		e.db.First(&got, bot.ID)
		if again != moves || got.Version != bot.Version+1 || got.Phase != "Transferred" {
			t.Errorf("the same move again stored something: %d moves (was %d), version %d", again, moves, got.Version)
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
	t.Parallel()
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

// openITO is an open ITO contract in its Run phase, with its lifecycle page
// open in two administrators' sessions.
func openITO(t *testing.T, e *env) (ito models.Engagement, first, second *client, page string) {
	t.Helper()
	must(t, e.db.Where("model = ? AND phase = ? AND closed_on IS NULL", models.ModelITO, "Run").Order("id").First(&ito).Error)
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleAdmin)
	return ito, first, second, fmt.Sprintf("/engagements/%d/lifecycle", ito.ID)
}

// A move from a page rendered before someone else edited the engagement's
// details is merged with that edit: both are kept, and the flash says whose
// change it merged with.
func TestLifecycleMoveMergesWithAnEdit(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ito, first, second, page := openITO(t, e)
		move := scrapeForm(t, second.get(page), `[data-testid="move-form"]`)
		edit := scrapeForm(t, first.get(fmt.Sprintf("/engagements/%d/edit", ito.ID)), "#engagement-form form")
		edit.Set("name", ito.Name+" (renamed)")
		if r := first.post(fmt.Sprintf("/engagements/%d", ito.ID), edit); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's edit: %d\n%.600s", r.StatusCode, r.Body)
		}
		move.Set("on", today().String())
		r := second.post(fmt.Sprintf("/engagements/%d/phase", ito.ID), move)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's move: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, ito.ID)
		if got.Name != ito.Name+" (renamed)" || got.Phase != move.Get("to") || got.Version != ito.Version+2 {
			t.Errorf("after both: name %q, phase %q, version %d: a change was lost", got.Name, got.Phase, got.Version)
		}
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by") {
			t.Errorf("the message does not say it merged: %q", flash)
		}
	})
}

// Two moves to different phases: the second answers 409 listing just the
// phase with both values and stores nothing; moving from the 409 page moves
// on from the other person's phase.
func TestLifecycleMoveConflict(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ito, first, second, page := openITO(t, e)
		a := scrapeForm(t, first.get(page), `[data-testid="move-form"]`)
		b := scrapeForm(t, second.get(page), `[data-testid="move-form"]`)
		var other string
		second.get(page).Doc(t).Find(`[data-testid="move-form"] select[name="to"] option`).Each(func(_ int, o *goquery.Selection) {
			if v := o.AttrOr("value", ""); v != a.Get("to") && other == "" {
				other = v
			}
		})
		a.Set("on", today().String())
		if r := first.post(fmt.Sprintf("/engagements/%d/phase", ito.ID), a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's move: %d\n%.600s", r.StatusCode, r.Body)
		}
		before := rowText(t, e, "engagements", ito.ID)
		b.Set("to", other)
		b.Set("on", today().String())
		r := second.post(fmt.Sprintf("/engagements/%d/phase", ito.ID), b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's move elsewhere: %d, want 409\n%.600s", r.StatusCode, r.Body)
		}
		if after := rowText(t, e, "engagements", ito.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Phase") || !strings.Contains(rows.Text(), other) || !strings.Contains(rows.Text(), a.Get("to")) {
			t.Errorf("the conflict lists %d rows: %q; want just the phase, with both values", rows.Length(), rows.Text())
		}
		again := scrapeForm(t, r, `[data-testid="move-form"]`)
		if again.Get("to") != other {
			t.Errorf("the 409 form does not hold B's choice: %q", again.Get("to"))
		}
		if r := second.post(fmt.Sprintf("/engagements/%d/phase", ito.ID), again); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("moving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var pc models.PhaseChange
		e.db.Where("engagement_id = ?", ito.ID).Order("id DESC").First(&pc)
		if pc.FromPhase != a.Get("to") || pc.ToPhase != other {
			t.Errorf("the last move %s → %s, want %s → %s", pc.FromPhase, pc.ToPhase, a.Get("to"), other)
		}
	})
}

// Two closings on different dates: the second answers 409 listing just the
// closing date and stores nothing. Reopening twice from the same page
// reopens once.
func TestLifecycleCloseConflictAndReopenTwice(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		ito, first, second, page := openITO(t, e)
		a := scrapeForm(t, first.get(page), `[data-testid="close-form"]`)
		b := scrapeForm(t, second.get(page), `[data-testid="close-form"]`)
		a.Set("close_on", today().String())
		if r := first.post(fmt.Sprintf("/engagements/%d/close", ito.ID), a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's close: %d\n%.600s", r.StatusCode, r.Body)
		}
		before := rowText(t, e, "engagements", ito.ID)
		b.Set("close_on", today().AddDays(-1).String())
		r := second.post(fmt.Sprintf("/engagements/%d/close", ito.ID), b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's close on another day: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "engagements", ito.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		rows := r.Doc(t).Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Closed on") || !strings.Contains(rows.Text(), today().Human()) {
			t.Errorf("the conflict lists %d rows: %q; want just the closing date", rows.Length(), rows.Text())
		}
		reopen := scrapeForm(t, first.get(page), `[data-testid="reopen-form"]`)
		for i := range 2 {
			if r := first.post(fmt.Sprintf("/engagements/%d/reopen", ito.ID), reopen); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reopen %d: %d\n%.600s", i+1, r.StatusCode, r.Body)
			}
		}
		var got models.Engagement
		e.db.First(&got, ito.ID)
		if !got.ClosedOn.IsZero() || got.Phase != "Run" || got.Version != ito.Version+2 {
			t.Errorf("after reopening twice: closed %v, phase %s, version %d (want one close and one reopen)", got.ClosedOn, got.Phase, got.Version)
		}
	})
}
