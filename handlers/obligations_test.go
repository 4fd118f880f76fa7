package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portfolio/models"
)

// A manager adds an obligation to their engagement and records an
// occurrence met with evidence: bad input is 422 with what they typed; an
// occurrence someone else recorded meanwhile is 409 with theirs shown and
// the manager's kept; two people editing the obligation have their changes
// merged field by field; the late obligation shows on the engagement page
// and in the portfolio's list, and leaves both once met. An executive reads
// without the forms and may not post.
func TestObligations(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		list := fmt.Sprintf("/engagements/%d/obligations", mine.ID)

		// Adding one: refused with the input kept, then stored.
		add := scrapeForm(t, mgr.get(list), `#obligation-new form`)
		add.Set("title", "Quarterly capacity plan")
		add.Set("clause", "Schedule 4, 2.7")
		add.Set("frequency", models.FrequencyQuarterly)
		add.Set("first_due", "soon")
		add.Set("evidence_link", "sharepoint/capacity")
		r := mgr.post(list, add)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Quarterly capacity plan") || !strings.Contains(r.Body, "Schedule 4, 2.7") ||
			!strings.Contains(r.Body, "http(s) address") {
			t.Fatalf("bad input: %d\n%.3000s", r.StatusCode, r.Body)
		}
		add.Set("first_due", today().AddDays(-40).String())
		add.Set("evidence_link", "https://docs.example.com/capacity")
		if r := mgr.post(list, add); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d\n%.2000s", r.StatusCode, r.Body)
		}
		var o models.Obligation
		e.db.Where("engagement_id = ? AND title = ?", mine.ID, "Quarterly capacity plan").First(&o)
		if o.Party != models.PartyVendor || o.Frequency != models.FrequencyQuarterly || o.Clause != "Schedule 4, 2.7" || !o.FirstDue.Equal(today().AddDays(-40).Time) {
			t.Fatalf("stored %+v", o)
		}

		// It is 40 days late: the engagement page and the portfolio's list say so.
		if body := mgr.get(fmt.Sprintf("/engagements/%d", mine.ID)).Body; !strings.Contains(body, "Quarterly capacity plan") ||
			!strings.Contains(body, "late 40 days") || !strings.Contains(body, "a contractual obligation more than 30 days overdue") {
			t.Errorf("the engagement page does not show the late obligation and its Amber reason")
		}
		if body := mgr.get("/obligations?party=vendor").Body; !strings.Contains(body, "Quarterly capacity plan") {
			t.Error("the portfolio's list does not show it")
		}
		if body := mgr.get("/obligations?party=company").Body; strings.Contains(body, "Quarterly capacity plan") {
			t.Error("the list of our obligations shows the vendor's")
		}
		csv := mgr.get("/obligations/export?format=csv&party=vendor")
		if !strings.Contains(csv.Body, "Quarterly capacity plan") || !strings.Contains(csv.Body, today().AddDays(-40).String()+",late,40,") {
			t.Errorf("the export: %.1500s", csv.Body)
		}

		// Recording it met: without evidence 422 with what was typed; with it, stored.
		page := fmt.Sprintf("%s/%d", list, o.ID)
		shown := mgr.get(page)
		rec := scrapeForm(t, shown, `[data-testid="record-form"] form`)
		if rec.Get("due_on") != o.FirstDue.String() || rec.Get("status") != models.OccurrenceMet || rec.Get("met_on") != today().String() {
			t.Fatalf("the record form is not for the late occurrence, met today: %v", rec)
		}
		rec.Set("met_on", today().AddDays(-2).String())
		r = mgr.post(page+"/record", rec)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Give the evidence") || !strings.Contains(r.Body, today().AddDays(-2).String()) {
			t.Fatalf("met without evidence: %d", r.StatusCode)
		}
		theirs := cloneValues(rec) // a second tab, shown before the record
		rec.Set("evidence", "https://docs.example.com/capacity/2026-q4.pdf")
		if r := mgr.post(page+"/record", rec); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d\n%.2000s", r.StatusCode, r.Body)
		}
		var got models.ObligationOccurrence
		e.db.Where("obligation_id = ?", o.ID).First(&got)
		if got.Status != models.OccurrenceMet || got.Evidence != "https://docs.example.com/capacity/2026-q4.pdf" || !got.MetOn.Equal(today().AddDays(-2).Time) || got.UserID == nil {
			t.Fatalf("stored %+v", got)
		}
		if body := mgr.get(page).Body; !strings.Contains(body, "met "+today().AddDays(-2).Human()+", 38 days late") {
			t.Error("the occurrence does not show met, and how late")
		}
		if body := mgr.get(fmt.Sprintf("/engagements/%d", mine.ID)).Body; strings.Contains(body, "Quarterly capacity plan") {
			t.Error("met, it still shows on the engagement page")
		}

		// The other tab waives the same occurrence: 409, theirs shown, the reason typed kept.
		theirs.Set("status", models.OccurrenceWaived)
		theirs.Set("reason", "Agreed at the service review")
		r = mgr.post(page+"/record", theirs)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "recorded this occurrence meanwhile") || !strings.Contains(r.Body, "Agreed at the service review") {
			t.Fatalf("recorded meanwhile: %d", r.StatusCode)
		}
		e.db.First(&got, got.ID)
		if got.Status != models.OccurrenceMet {
			t.Errorf("the 409 changed the record: %+v", got)
		}

		// Two people editing the obligation: different fields merge, the same field clashes.
		admin := e.client()
		admin.login(models.RoleAdmin)
		a := scrapeForm(t, admin.get(page), `#obligation-form form`)
		m := scrapeForm(t, mgr.get(page), `#obligation-form form`)
		a.Set("owner", "Capacity manager")
		if r := admin.post(page, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin's edit: %d", r.StatusCode)
		}
		m.Set("clause", "Schedule 4, 2.8")
		if r := mgr.post(page, m); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale edit of another field: %d", r.StatusCode)
		}
		e.db.First(&o, o.ID)
		if o.Owner != "Capacity manager" || o.Clause != "Schedule 4, 2.8" {
			t.Fatalf("after the merge: %+v", o)
		}
		m.Set("owner", "Someone else entirely")
		if r := mgr.post(page, m); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "Someone else entirely") {
			t.Fatalf("the same field changed by both: %d", r.StatusCode)
		}

		// Another engagement's obligation under the manager's own engagement's address: not found.
		var foreign models.Obligation
		e.db.Where("engagement_id <> ?", mine.ID).Order("id").First(&foreign)
		if r := mgr.post(fmt.Sprintf("%s/%d/record", list, foreign.ID), rec); r.StatusCode != http.StatusNotFound {
			t.Errorf("another engagement's obligation recorded through mine: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.ObligationOccurrence{}).Where("obligation_id = ? AND reason = ?", foreign.ID, "Agreed at the service review").Count(&n)
		if n != 0 {
			t.Error("it was stored")
		}

		exec := e.client()
		exec.login(models.RoleExecutive)
		body := exec.get(page).Body
		if strings.Contains(body, `id="obligation-form"`) || strings.Contains(body, `data-testid="record-form"`) || !strings.Contains(body, "Quarterly capacity plan") {
			t.Error("an executive sees the forms, or not the obligation")
		}
		if r := exec.post(page+"/record", rec); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive records: %d", r.StatusCode)
		}
	})
}

// The dashboard lists the obligations late, the longest late first, cut
// to its first rows with a link to the portfolio's list.
func TestDashboardLateObligations(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		list := fmt.Sprintf("/engagements/%d/obligations", mine.ID)
		for i := range 9 {
			add := scrapeForm(t, mgr.get(list), `#obligation-new form`)
			add.Set("title", fmt.Sprintf("Late walk %d", i))
			add.Set("frequency", models.FrequencyOnce)
			add.Set("first_due", today().AddDays(-400-i).String())
			if r := mgr.post(list, add); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("add: %d", r.StatusCode)
			}
		}
		body := mgr.get("/").Body
		panel := body[strings.Index(body, `data-testid="late-obligations"`):]
		panel = panel[:strings.Index(panel, "</section>")]
		if !strings.Contains(panel, "Late walk 8") || strings.Contains(panel, "Late walk 0") || !strings.Contains(panel, "Showing 8 of") ||
			!strings.Contains(panel, `href="/obligations"`) || !strings.Contains(panel, today().AddDays(-408).Human()) {
			t.Errorf("the dashboard's late obligations:\n%s", panel)
		}
	})
}
