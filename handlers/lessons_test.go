package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/seed"
)

// loginAsDemo signs in with a demo account by email.
func loginAsDemo(t *testing.T, c *client, email string) {
	t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Email == email {
			c.loginAs(a.Email, a.Password)
			return
		}
	}
	t.Fatalf("no demo account %s", email)
}

// otherDemoManager is a demo manager account other than the main one.
func otherDemoManager(t *testing.T) string {
	t.Helper()
	main := ""
	for _, a := range seed.DemoAccounts {
		if a.Role == models.RoleManager {
			if main == "" {
				main = a.Email
				continue
			}
			return a.Email
		}
	}
	t.Fatal("one demo manager only")
	return ""
}

// Managers add lessons (author, engagement by code, tower from the engagement,
// risk by reference, history); bad input 422 with input kept; only the author
// or an admin edits; a stale edit is merged; archiving takes it out of the library;
// executives add nothing.
func TestLessonForms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		_, theirs := managedEngagements(t, e)
		var risk models.Risk
		e.db.Where("engagement_id = ?", theirs.ID).Order("id").First(&risk)
		mgr := demoUser(t, e, models.RoleManager)
		c := e.client()
		c.login(models.RoleManager)
		tok := c.csrf("/lessons/new")
		form := url.Values{"_csrf": {tok}, "title": {"Zebra-crossing handover checklist"}, "what_happened": {"Handover meetings ran long."},
			"lesson": {"Use a one-page handover checklist."}, "outcome": {"went well"}, "phase": {"operate"}, "category": {"Service quality"},
			"engagement": {strings.ToLower(theirs.Code)}, "tags": {" handover ,checklist, Handover,"}, "learned_on": {"2026-10-30"}, "risk": {risk.Ref}}
		r := c.post("/lessons", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var l models.Lesson
		if err := e.db.Where("title = ?", "Zebra-crossing handover checklist").First(&l).Error; err != nil {
			t.Fatal(err)
		}
		if l.AuthorID == nil || *l.AuthorID != mgr.ID || l.EngagementID == nil || *l.EngagementID != theirs.ID ||
			l.Tower != theirs.Tower || l.Tags != "handover, checklist" || l.RiskID == nil || *l.RiskID != risk.ID || l.Version != 1 {
			t.Errorf("stored %+v", l)
		}
		if r.Header.Get("Location") != fmt.Sprintf("/lessons/%d", l.ID) || !hasChange(changesOf(t, e, models.EntityLesson, l.ID), "title", "", l.Title) {
			t.Error("redirect or creation history wrong")
		}
		show := c.get(fmt.Sprintf("/lessons/%d", l.ID)).Doc(t)
		if !strings.Contains(show.Find(`[data-testid="lesson"]`).Text(), risk.Ref) {
			t.Error("the lesson page does not name its risk")
		}
		// The library finds it by a word of its title.
		if doc := c.get("/lessons?q=zebra").Doc(t); doc.Find(`[data-testid="lesson"]`).Length() != 1 {
			t.Errorf("search for zebra: %d lessons", doc.Find(`[data-testid="lesson"]`).Length())
		}

		// Invalid: 422, input kept.
		bad := url.Values{"_csrf": {tok}, "title": {""}, "lesson": {"Kept text"}, "outcome": {"meh"}, "phase": {"operate"}, "category": {"Service quality"},
			"engagement": {"NOPE-99"}, "risk": {"R-NONE"}, "learned_on": {"2099-01-01"}}
		r = c.post("/lessons", bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, f := range []string{"title", "outcome", "engagement", "risk", "learned_on"} {
			if doc.Find(`[data-testid="error-`+f+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", f)
			}
		}
		if doc.Find(`textarea[name="lesson"]`).Text() != "Kept text" {
			t.Error("lesson text not kept")
		}
		if r := hxPost(c, "/lessons", bad); r.StatusCode != http.StatusUnprocessableEntity || !isPartial(r, "lesson-form") {
			t.Errorf("htmx 422: %d", r.StatusCode)
		}

		// Another manager may not edit it; the author may.
		other := e.client()
		loginAsDemo(t, other, otherDemoManager(t))
		if r := other.get(fmt.Sprintf("/lessons/%d/edit", l.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's edit form: %d", r.StatusCode)
		}
		edit := scrapeForm(t, c.get(fmt.Sprintf("/lessons/%d/edit", l.ID)), `#lesson-form form`)
		edit.Set("_csrf", other.token())
		if r := other.post(fmt.Sprintf("/lessons/%d", l.ID), edit); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's save: %d", r.StatusCode)
		}
		edit.Set("_csrf", tok)
		edit.Set("outcome", "went wrong")
		if r := c.post(fmt.Sprintf("/lessons/%d", l.ID), edit); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("author's edit: %d\n%s", r.StatusCode, r.Body)
		}
		if !hasChange(changesOf(t, e, models.EntityLesson, l.ID), "outcome", "went well", "went wrong") {
			t.Error("no edit history")
		}
		// The same form, now stale, changing another field: merged, the
		// outcome saved before kept.
		edit.Set("title", "Second thoughts")
		r = c.post(fmt.Sprintf("/lessons/%d", l.ID), edit)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("stale form changing another field: %d, want a merge", r.StatusCode)
		}
		if e.db.First(&l, l.ID); l.Title != "Second thoughts" || l.Outcome != "went wrong" {
			t.Errorf("after the merged save: title %q, outcome %q", l.Title, l.Outcome)
		}
		admin := e.client()
		admin.login(models.RoleAdmin)
		if r := admin.get(fmt.Sprintf("/lessons/%d/edit", l.ID)); r.StatusCode != http.StatusOK {
			t.Errorf("admin edit form: %d", r.StatusCode)
		}

		// Archive: out of the library, kept with its history.
		e.db.First(&l, l.ID)
		if r := c.post(fmt.Sprintf("/lessons/%d/archive", l.ID), url.Values{"_csrf": {tok}, "version": {fmt.Sprint(l.Version)}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d", r.StatusCode)
		}
		e.db.First(&l, l.ID)
		if !l.Archived || !hasChange(changesOf(t, e, models.EntityLesson, l.ID), "archived", "no", "yes") {
			t.Error("not archived with history")
		}
		if doc := c.get("/lessons?q=zebra").Doc(t); doc.Find(`[data-testid="lesson"]`).Length() != 0 {
			t.Error("an archived lesson is still in the library")
		}

		// Executives add nothing.
		x := e.client()
		x.login(models.RoleExecutive)
		if r := x.post("/lessons", url.Values{"_csrf": {x.token()}, "title": {"x"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("executive create: %d", r.StatusCode)
		}
		if doc := x.get("/lessons").Doc(t); doc.Find(`[data-testid="add-lesson"]`).Length() != 0 {
			t.Error("an executive is offered to add a lesson")
		}
	})
}

// The library's search is ranked and filtered (engagement included), its htmx
// request gets the list partial, and the export carries the same lessons.
func TestLessonLibrarySearchAndExport(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.htmx("/lessons?q=transfer&phase=transfer%2Fexit")
		if !isPartial(r, "lessons-list") {
			t.Fatal("htmx search did not get the list partial")
		}
		rows, total, err := models.ListLessons(t.Context(), e.db, models.LessonFilter{Q: "transfer", Phase: "transfer/exit", Page: 1, PerPage: 25})
		if err != nil || total == 0 {
			t.Fatalf("model search: %d, %v", total, err)
		}
		titles := r.Doc(t).Find(`[data-testid="lesson"] h3`)
		if int64(titles.Length()) != min(total, 25) || strings.TrimSpace(titles.First().Text()) != rows[0].Title {
			t.Errorf("page shows %d lessons starting %q; the search ranks %d starting %q", titles.Length(), titles.First().Text(), total, rows[0].Title)
		}
		var l models.Lesson
		e.db.Where("engagement_id IS NOT NULL AND NOT archived").Order("id").First(&l)
		var n int64
		e.db.Model(&models.Lesson{}).Where("engagement_id = ? AND NOT archived", *l.EngagementID).Count(&n)
		doc := c.get(fmt.Sprintf("/lessons?engagement=%d", *l.EngagementID)).Doc(t)
		if got := doc.Find(`[data-testid="lesson"]`).Length(); int64(got) != n {
			t.Errorf("engagement filter: %d lessons, want %d", got, n)
		}
		csv := c.get(fmt.Sprintf("/lessons/export?format=csv&engagement=%d", *l.EngagementID))
		if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); csv.StatusCode != http.StatusOK || !strings.HasPrefix(lines[0], "\uFEFFTitle,") {
			t.Errorf("export: %d %q", csv.StatusCode, lines[0])
		} else if !strings.Contains(csv.Body, l.Title) {
			t.Error("the export lacks the engagement's lesson")
		}
	})
}

// An engagement's page shows the lessons of its current phase and tower,
// written on other engagements too.
func TestEngagementShowsRelevantLessons(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		var other models.Engagement
		e.db.Where("tower = ? AND id <> ?", mine.Tower, mine.ID).Order("id").First(&other)
		if other.ID == 0 {
			t.Skip("no second engagement in the tower")
		}
		c := e.client()
		c.login(models.RoleManager)
		form := url.Values{"_csrf": {c.csrf("/lessons/new")}, "title": {"Yak-shaving in the run phase"}, "lesson": {"Timebox tooling work."},
			"outcome": {"went wrong"}, "phase": {models.LessonPhaseOf(mine.Phase)}, "category": {"Service quality"},
			"engagement": {other.Code}, "tower": {mine.Tower}, "learned_on": {models.DateOf(e.now).String()}}
		if r := c.post("/lessons", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		doc := c.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t)
		if !strings.Contains(doc.Find(`[data-testid="relevant-lessons"]`).Text(), "Yak-shaving in the run phase") {
			t.Error("a lesson of the same phase and tower from another engagement is not shown")
		}
		if doc.Find(`[data-testid="add-engagement-lesson"]`).Length() == 0 {
			t.Error("no link to add a lesson from the engagement")
		}
	})
}

// lessonEdit opens a lesson of the demo manager's in two sessions, an
// admin's and its author's.
func lessonEdit(t *testing.T, e *env) (l models.Lesson, a, b url.Values, first, second *client, path string) {
	t.Helper()
	mgr := demoUser(t, e, models.RoleManager)
	if err := e.db.Where("author_id = ? AND NOT archived", mgr.ID).Order("id").First(&l).Error; err != nil {
		t.Fatalf("the demo manager wrote no lesson: %v", err)
	}
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	path = fmt.Sprintf("/lessons/%d", l.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#lesson-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#lesson-form form")
	return l, a, b, first, second, path
}

// Two people editing different fields of one lesson both keep their change,
// and the second is told whose change theirs was merged with.
func TestLessonEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		l, a, b, first, second, path := lessonEdit(t, e)
		a.Set("title", "A's title")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("what_happened", "B's account")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Lesson
		e.db.First(&got, l.ID)
		if got.Title != "A's title" || got.WhatHappened != "B's account" {
			t.Errorf("after both saves: title %q, what happened %q: a change was lost", got.Title, got.WhatHappened)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(path).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.EntityLesson, l.ID)
		if !hasChange(chs, "title", l.Title, "A's title") || !hasChange(chs, "what_happened", l.WhatHappened, "B's account") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestLessonEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		l, a, b, first, second, path := lessonEdit(t, e)
		a.Set("lesson", "A's lesson")
		a.Set("tags", "alpha, beta")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		phase := models.LessonPhases[0]
		if l.Phase == phase {
			phase = models.LessonPhases[1]
		}
		b.Set("lesson", "B's lesson")
		b.Set("phase", phase)
		before := rowText(t, e, "lessons", l.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "lessons", l.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Lesson") || !strings.Contains(rows.Text(), "A's lesson") || !strings.Contains(rows.Text(), "B's lesson") {
			t.Errorf("the conflict lists %d rows: %q; want just the lesson, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="tags"]`).AttrOr("value", ""); v != "alpha, beta" {
			t.Errorf("the 409 form does not hold A's tags: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#lesson-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Lesson
		e.db.First(&got, l.ID)
		if got.Lesson != "B's lesson" || got.Phase != phase || got.Tags != "alpha, beta" {
			t.Errorf("after saving from the 409 page: lesson %q, phase %q, tags %q (A's tags must stay)", got.Lesson, got.Phase, got.Tags)
		}
	})
}
