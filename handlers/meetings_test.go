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
	"portfolio/models/pack"
)

// meetingActor writes as the demo's clock does, with the demo's settings.
func meetingActor(t *testing.T, e *env) models.Actor {
	t.Helper()
	s, err := models.LoadSettings(t.Context(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	return models.Actor{At: dbtest.Now(), Today: today(), Settings: s}
}

// recordMeeting stores a meeting of an engagement with its actions, as its form would.
func recordMeeting(t *testing.T, e *env, engagementID uint, kind string, held models.Date, decisions string, actions ...models.MeetingAction) models.Meeting {
	t.Helper()
	m, err := models.RecordMeeting(t.Context(), e.db, meetingActor(t, e),
		models.Meeting{EngagementID: engagementID, Kind: kind, HeldOn: held, Attendees: "Ann Lee, Bo Chen", Decisions: decisions}, actions)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A manager records a meeting of their engagement with the actions agreed
// at it in one form: what the domain or the form refuses is 422 with
// everything typed kept (htmx gets the form back); saved, the meeting's page
// shows it. An executive reads the page without the form and may not post it.
func TestMeetingRecordForm(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/meetings", mine.ID)
		form := scrapeForm(t, mgr.get(path), `#meeting-form form`)
		if form.Get("held_on") != today().String() || form.Get("kind") != models.MeetingSteering {
			t.Errorf("the form opens on %q, %q: want a steering committee held today", form.Get("kind"), form.Get("held_on"))
		}

		bad := cloneValues(form)
		bad.Set("attendees", "")
		bad.Set("decisions", "Approved the recovery plan.")
		bad.Set("action_1", "Send the minutes")
		bad.Set("due_1", "next week")
		r := mgr.post(path, bad)
		doc := r.Doc(t)
		if r.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-attendees"]`).Length() != 1 ||
			doc.Find(`[data-testid="error-owner_1"]`).Length() != 1 || doc.Find(`[data-testid="error-due_1"]`).Length() != 1 ||
			doc.Find(`#f-action_1`).AttrOr("value", "") != "Send the minutes" || doc.Find(`#f-due_1`).AttrOr("value", "") != "next week" ||
			!strings.Contains(doc.Find(`#f-decisions`).Text(), "Approved the recovery plan.") {
			t.Fatalf("bad input: %d, want 422 with the errors beside the fields and the input kept", r.StatusCode)
		}
		tomorrow := cloneValues(form)
		tomorrow.Set("held_on", today().AddDays(1).String())
		if r := mgr.htmx2(path, tomorrow); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "is after today") ||
			strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="meeting-form"`) {
			t.Errorf("a meeting held tomorrow, by htmx: %d, want 422 with the form alone\n%.300s", r.StatusCode, r.Body)
		}

		held := today().AddDays(-2)
		good := cloneValues(form)
		good.Set("kind", models.MeetingService)
		good.Set("held_on", held.String())
		good.Set("attendees", "Ann Lee (service owner), Bo Chen (vendor service manager)")
		good.Set("decisions", "Open a problem record for the storage incidents.\nFreeze changes over the quarter's close.")
		good.Set("action_1", "Send the root-cause analysis")
		good.Set("owner_1", "Bo Chen")
		good.Set("due_1", today().AddDays(7).String())
		good.Set("action_3", "Book the capacity review")
		good.Set("owner_3", "Ann Lee")
		good.Set("due_3", held.String())
		r = mgr.post(path, good)
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/meetings/") {
			t.Fatalf("save: %d %s\n%.2000s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		var m models.Meeting
		e.db.Where("engagement_id = ? AND kind = ? AND held_on = ?", mine.ID, models.MeetingService, held).Order("id DESC").First(&m)
		actions, _ := models.ActionsOf(t.Context(), e.db, m.ID)
		if m.ID == 0 || r.Header.Get("Location") != fmt.Sprintf("/meetings/%d", m.ID) || m.Attendees != good.Get("attendees") || len(actions) != 2 ||
			actions[0].Action != "Book the capacity review" || actions[1].Owner != "Bo Chen" || actions[1].Status != models.ActionOpen {
			t.Fatalf("stored %+v with %+v", m, actions)
		}
		page := mgr.get(r.Header.Get("Location"))
		pdoc := page.Doc(t)
		if h1 := pdoc.Find("h1").Text(); !strings.Contains(h1, "Service review, "+held.Human()) ||
			pdoc.Find(`[data-testid="meeting-decisions"]`).Text() != good.Get("decisions") || pdoc.Find(`[data-testid="action"]`).Length() != 2 ||
			!strings.Contains(page.Body, "recorded with 2 actions") {
			t.Errorf("the meeting's page: %q\n%s", h1, pdoc.Find(`[data-testid="meeting-actions"]`).Text())
		}
		latest, _, _ := models.MeetingsOf(t.Context(), e.db, mine.ID, today(), 1)
		if list := mgr.get(path).Doc(t).Find(`[data-testid="meetings-table"] tbody tr`).First().Text(); !strings.Contains(list, latest[0].HeldOn.Human()) {
			t.Errorf("the list does not start with the latest meeting (%s): %q", latest[0].HeldOn.Human(), list)
		}

		exec := e.client()
		exec.login(models.RoleExecutive)
		if body := exec.get(path).Body; strings.Contains(body, `id="meeting-form"`) || !strings.Contains(body, "Open a problem record") {
			t.Error("an executive sees the form, or not the meeting")
		}
		if body := exec.get(fmt.Sprintf("/meetings/%d", m.ID)).Body; strings.Contains(body, `id="meeting-form"`) || strings.Contains(body, `data-testid="mark-done"`) {
			t.Error("an executive sees the meeting's forms")
		}
		good.Del("_once") // the manager's form, sent already: the executive's own post, refused
		if r := exec.post(path, withCSRF(exec, path, good)); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive's post: %d, want 403", r.StatusCode)
		}
	})
}

// htmx2 posts a form as htmx does.
func (c *client) htmx2(path string, form url.Values) resp {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded",
		"HX-Request": "true", "HX-Current-URL": c.e.srv.URL + path})
}

// withCSRF is form with the client's own token, taken from page.
func withCSRF(c *client, page string, form url.Values) url.Values {
	out := cloneValues(form)
	out.Set("_csrf", c.csrf(page))
	return out
}

// Two people change one meeting from forms shown before either saved: the
// second save is merged field by field (both changes kept); where both
// changed the same field differently it is 409, nothing saved, their input
// kept beside the stored value.
func TestMeetingEditMerge(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		m := recordMeeting(t, e, mine.ID, models.MeetingSteering, today().AddDays(-10), "Approved the plan.")
		path := fmt.Sprintf("/meetings/%d", m.ID)
		mgr, admin := e.client(), e.client()
		mgr.login(models.RoleManager)
		admin.login(models.RoleAdmin)
		theirs := scrapeForm(t, admin.get(path), `#meeting-form form`)
		stale := scrapeForm(t, mgr.get(path), `#meeting-form form`)
		theirs.Set("decisions", "Approved the plan.\nDeferred the price review.")
		if r := admin.post(path, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's save: %d", r.StatusCode)
		}
		stale.Set("attendees", "Ann Lee, Bo Chen, Cy Diaz")
		if r := mgr.post(path, stale); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale save of another field: %d\n%.1000s", r.StatusCode, r.Body)
		}
		got, _ := models.MeetingByID(t.Context(), e.db, m.ID)
		if got.Decisions != theirs.Get("decisions") || got.Attendees != "Ann Lee, Bo Chen, Cy Diaz" || got.Version != 3 {
			t.Fatalf("after the merge: %+v", got)
		}
		if flash := mgr.get(path).Body; !strings.Contains(flash, "merged with a change by Alex Morgan") {
			t.Error("the merged save does not say whose change it kept")
		}

		theirs = scrapeForm(t, admin.get(path), `#meeting-form form`)
		stale = scrapeForm(t, mgr.get(path), `#meeting-form form`)
		theirs.Set("decisions", "Exit agreed.")
		if r := admin.post(path, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's save: %d", r.StatusCode)
		}
		stale.Set("decisions", "Renewal agreed.")
		r := mgr.post(path, stale)
		doc := r.Doc(t)
		if r.StatusCode != http.StatusConflict || doc.Find(`[data-testid="conflict"]`).Length() != 1 ||
			!strings.Contains(doc.Find(`#f-decisions`).Text(), "Renewal agreed.") || !strings.Contains(doc.Find(`[data-testid="conflict"]`).Text(), "Exit agreed.") {
			t.Fatalf("both changed the decisions: %d, want 409 with both values and the input kept", r.StatusCode)
		}
		if got, _ := models.MeetingByID(t.Context(), e.db, m.ID); got.Decisions != "Exit agreed." {
			t.Errorf("the conflict stored %q", got.Decisions)
		}
	})
}

// On the meeting's page an action is marked done by a button, and dropped
// with the reason (422 without one); the buttons post the status alone, so
// a button on a page shown before someone changed the action's owner keeps
// their change; both changing the owner differently is 409 with the input
// kept. Each change is in the action's history.
func TestMeetingActionsDoneAndDropped(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		held := today().AddDays(-20)
		m := recordMeeting(t, e, mine.ID, models.MeetingService, held, "",
			models.MeetingAction{Action: "Send the analysis", Owner: "Bo Chen", Due: held.AddDays(5)},
			models.MeetingAction{Action: "Refresh the forecast", Owner: "Ann Lee", Due: held.AddDays(40)})
		actions, _ := models.ActionsOf(t.Context(), e.db, m.ID)
		path := fmt.Sprintf("/meetings/%d", m.ID)
		mgr, admin := e.client(), e.client()
		mgr.login(models.RoleManager)
		admin.login(models.RoleAdmin)
		page := mgr.get(path)
		items := page.Doc(t).Find(`[data-testid="action"]`)
		if items.Length() != 2 || items.First().Find(`[data-testid="overdue"]`).Length() != 1 || items.Last().Find(`[data-testid="overdue"]`).Length() != 0 {
			t.Fatalf("the actions: %d, the first overdue, the second not:\n%s", items.Length(), items.Text())
		}
		formIn := func(doc *goquery.Document, i int, sel string) (string, map[string][]string) {
			f := doc.Find(`[data-testid="action"]`).Eq(i).Find(sel).First()
			v := map[string][]string{}
			f.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
				v[s.AttrOr("name", "")] = []string{s.AttrOr("value", "")}
			})
			return f.AttrOr("action", ""), v
		}
		doc := page.Doc(t)
		url, done := formIn(doc, 0, `form.inline-form`)
		done["status"] = []string{models.ActionDone}
		if r := mgr.post(url, done); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != path+"#actions" {
			t.Fatalf("mark done: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if a, _ := models.MeetingActionByID(t.Context(), e.db, actions[0].ID); a.Status != models.ActionDone {
			t.Fatalf("marked done: %+v", a)
		}

		// The second's drop form, shown before the admin changes its owner.
		url, drop := formIn(doc, 1, `details.drop form`)
		if r := mgr.post(url, drop); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Say why the action is dropped.") {
			t.Fatalf("dropped without a reason: %d", r.StatusCode)
		}
		edit := fmt.Sprintf("%s/actions/%d", path, actions[1].ID)
		theirs := scrapeForm(t, admin.get(edit), `#action-form form`)
		theirs.Set("owner", "Cy Diaz")
		if r := admin.post(edit, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's change of owner: %d", r.StatusCode)
		}
		drop["dropped_reason"] = []string{"Folded into the capacity review."}
		if r := mgr.post(url, drop); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale drop: %d\n%.1000s", r.StatusCode, r.Body)
		}
		a, _ := models.MeetingActionByID(t.Context(), e.db, actions[1].ID)
		if a.Status != models.ActionDropped || a.DroppedReason != "Folded into the capacity review." || a.Owner != "Cy Diaz" {
			t.Fatalf("after the merge: %+v", a)
		}
		if body := mgr.get(path).Body; !strings.Contains(body, "dropped") || !strings.Contains(body, "Folded into the capacity review.") {
			t.Error("the page does not show the action dropped with its reason")
		}

		theirs = scrapeForm(t, admin.get(edit), `#action-form form`)
		mineForm := scrapeForm(t, mgr.get(edit), `#action-form form`)
		theirs.Set("owner", "Dee Eve")
		mineForm.Set("owner", "Fay Gray")
		if r := admin.post(edit, theirs); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's save: %d", r.StatusCode)
		}
		r := mgr.post(edit, mineForm)
		if r.StatusCode != http.StatusConflict || r.Doc(t).Find(`#f-owner`).AttrOr("value", "") != "Fay Gray" {
			t.Fatalf("both changed the owner: %d, want 409 with the input kept", r.StatusCode)
		}
		h, _ := models.HistoryOf(t.Context(), e.db, models.MeetingActionEntity, actions[1].ID)
		fields := map[string]int{}
		for _, c := range h {
			fields[c.Field]++
		}
		if fields["status"] != 1 || fields["owner"] != 2 || fields["dropped_reason"] != 1 {
			t.Errorf("the action's history: %v", fields)
		}
	})
}

// A meeting of a quarter whose pack is published is frozen with it: its
// page says so and has no forms; a form shown before publishing is refused
// with 409 and the input kept, as is a new meeting dated in it; its actions
// can still be marked done, and the published pack prints the meeting.
func TestMeetingOfAPublishedQuarter(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		s, _ := models.LoadSettings(t.Context(), e.db)
		q, _ := models.ParseQuarter(reviewQuarter())
		held := s.Fiscal().Start(q).AddDays(12)
		m := recordMeeting(t, e, mine.ID, models.MeetingQBR, held, "Benchmark the unit prices.",
			models.MeetingAction{Action: "Send the benchmark", Owner: "Bo Chen", Due: held.AddDays(30)})
		path := fmt.Sprintf("/meetings/%d", m.ID)
		mgr := e.client()
		mgr.login(models.RoleManager)
		before := scrapeForm(t, mgr.get(path), `#meeting-form form`)
		newForm := scrapeForm(t, mgr.get(fmt.Sprintf("/engagements/%d/meetings", mine.ID)), `#meeting-form form`)
		actionForm := mgr.get(path).Doc(t).Find(`[data-testid="action"] form.inline-form`).First()

		p, err := pack.BuildPack(t.Context(), e.db, s, q, today())
		if err != nil {
			t.Fatal(err)
		}
		var admin models.User
		e.db.Where("role = ?", models.RoleAdmin).First(&admin)
		if err := pack.PublishPack(t.Context(), e.db, p, admin, dbtest.Now()); err != nil {
			t.Fatal(err)
		}

		doc := mgr.get(path).Doc(t)
		if !strings.Contains(doc.Find(`[data-testid="meeting-frozen"]`).Text(), q.String()+" is published") || doc.Find(`#meeting-form`).Length() != 0 ||
			doc.Find(`#action-form`).Length() != 0 {
			t.Error("the meeting's page of a published quarter does not say it is frozen, or offers its forms")
		}
		before.Set("decisions", "A decision after publishing.")
		r := mgr.post(path, before)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, q.String()+" is published") || !strings.Contains(r.Body, "A decision after publishing.") {
			t.Errorf("a change to the frozen meeting: %d, want 409 saying why, with the input kept\n%s", r.StatusCode, r.Doc(t).Find("main").Text())
		}
		newForm.Set("held_on", held.AddDays(1).String())
		newForm.Set("attendees", "Late Recorder")
		r = mgr.post(fmt.Sprintf("/engagements/%d/meetings", mine.ID), newForm)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.Doc(t).Find(`[data-testid="frozen"]`).Text(), q.String()+" is published") ||
			!strings.Contains(r.Body, "Late Recorder") {
			t.Errorf("a new meeting in the published quarter: %d, want 409 saying why, with the input kept", r.StatusCode)
		}
		if got, _ := models.MeetingByID(t.Context(), e.db, m.ID); got.Decisions != "Benchmark the unit prices." {
			t.Errorf("the frozen meeting changed: %q", got.Decisions)
		}
		done := map[string][]string{"status": {models.ActionDone}}
		actionForm.Find("input[name]").Each(func(_ int, s *goquery.Selection) { done[s.AttrOr("name", "")] = []string{s.AttrOr("value", "")} })
		if r := mgr.post(actionForm.AttrOr("action", ""), done); r.StatusCode != http.StatusSeeOther {
			t.Errorf("marking an action of the frozen meeting done: %d, want 303", r.StatusCode)
		}
		sec := mgr.get(fmt.Sprintf("/reviews/%s/engagements/%d", q, mine.ID)).Doc(t)
		if !strings.Contains(sec.Find(`[data-testid="pack-eng-meetings"]`).Text(), "QBR, "+held.Human()) ||
			!strings.Contains(sec.Find(`[data-testid="pack-actions"]`).Text(), "Send the benchmark") {
			t.Errorf("the published pack does not print the meeting and its action:\n%s", sec.Find(`[data-testid="pack-engagement"]`).Text())
		}
	})
}

// The engagement's page shows its last meeting and its open actions, the
// first five, an overdue one marked, saying how many there are with a link
// to all; the meetings page cuts its list likewise, ?all=1 showing every one.
func TestEngagementPageMeetings(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		held := today().AddDays(-1)
		var acts []models.MeetingAction
		for i := range 4 {
			acts = append(acts, models.MeetingAction{Action: fmt.Sprintf("Follow-up %d", i+1), Owner: "Ann Lee", Due: held.AddDays(10 + i)})
		}
		m := recordMeeting(t, e, mine.ID, models.MeetingSteering, held, "Agreed the transfer timeline.", acts...)
		recordMeeting(t, e, mine.ID, models.MeetingService, today().AddDays(-30), "",
			models.MeetingAction{Action: "Overdue follow-up", Owner: "Bo Chen", Due: today().AddDays(-3)},
			models.MeetingAction{Action: "Another", Owner: "Bo Chen", Due: today().AddDays(-2)})
		_, counts, _ := models.OpenActions(t.Context(), e.db, mine.ID, today(), 0)
		exec := e.client()
		exec.login(models.RoleExecutive)
		doc := exec.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t)
		panel := doc.Find(`[data-testid="engagement-meetings"]`)
		if last := panel.Find(`[data-testid="last-meeting"]`).Text(); !strings.Contains(last, m.Title()) {
			t.Errorf("the last meeting reads %q, want %q", last, m.Title())
		}
		rows := panel.Find(`[data-testid="open-action"]`)
		cut := panel.Find(`[data-testid="open-actions-count"]`)
		if rows.Length() != 5 || counts.Open <= 5 || !strings.Contains(cut.Text(), fmt.Sprintf("Showing 5 of %d open actions", counts.Open)) ||
			cut.Find(fmt.Sprintf(`a[href="/engagements/%d/meetings"]`, mine.ID)).Length() != 1 {
			t.Errorf("%d open actions shown of %d; the cut says %q", rows.Length(), counts.Open, cut.Text())
		}
		if !strings.Contains(rows.First().Find(`[data-testid="overdue"]`).Text(), "overdue") {
			t.Errorf("the first open action, the longest overdue, is not marked: %q", rows.First().Text())
		}
		if panel.Find(`[data-testid="record-meeting"]`).Length() != 0 {
			t.Error("an executive is offered to record a meeting")
		}

		var n int64
		e.db.Model(&models.Meeting{}).Where("engagement_id = ?", mine.ID).Count(&n)
		for ; n <= 25; n++ {
			recordMeeting(t, e, mine.ID, models.MeetingService, today().AddDays(-100-int(n)), "")
		}
		list := exec.get(fmt.Sprintf("/engagements/%d/meetings", mine.ID)).Doc(t)
		if got := list.Find(`[data-testid="meetings-table"] tbody tr`).Length(); got != 25 ||
			!strings.Contains(list.Find(`[data-testid="meetings-count"]`).Text(), fmt.Sprintf("Showing 25 of %d meetings", n)) {
			t.Errorf("the meetings page shows %d rows and says %q, want 25 of %d", got, list.Find(`[data-testid="meetings-count"]`).Text(), n)
		}
		if all := exec.get(fmt.Sprintf("/engagements/%d/meetings?all=1", mine.ID)).Doc(t); int64(all.Find(`[data-testid="meetings-table"] tbody tr`).Length()) != n {
			t.Errorf("?all=1 does not show all %d meetings", n)
		}
	})
}

// The portfolio's open actions list the longest overdue first, say how many
// are open and overdue, and export as CSV and XLSX with every one; the
// meetings export an engagement's or every one's.
func TestOpenActionsAndExports(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		_, counts, _ := models.OpenActions(t.Context(), e.db, 0, today(), 0)
		if counts.Overdue == 0 || counts.Open <= counts.Overdue {
			t.Fatalf("the demo has %d open actions, %d overdue: the test wants some of each", counts.Open, counts.Overdue)
		}
		exec := e.client()
		exec.login(models.RoleExecutive)
		doc := exec.get("/actions").Doc(t)
		rows := doc.Find(`[data-testid="open-action"]`)
		if int64(rows.Length()) != counts.Open || rows.First().Find(`[data-testid="overdue"]`).Length() != 1 ||
			rows.Last().Find(`[data-testid="overdue"]`).Length() != 0 ||
			!strings.Contains(doc.Find(`[data-testid="actions-summary"]`).Text(), fmt.Sprintf("%d open, %d overdue", counts.Open, counts.Overdue)) {
			t.Errorf("the page lists %d of %d open actions; the summary says %q", rows.Length(), counts.Open, doc.Find(`[data-testid="actions-summary"]`).Text())
		}
		r := exec.get("/actions/export?format=csv")
		recs := readCSV(t, r.Body)
		if r.StatusCode != http.StatusOK || int64(len(recs)-1) != counts.Open || strings.Join(recs[0][:3], ",") != "Code,Engagement,Action" ||
			recs[1][5] == "" || recs[len(recs)-1][5] != "" {
			t.Errorf("CSV: %d, %d rows for %d open actions, the first overdue %q, the last %q", r.StatusCode, len(recs)-1, counts.Open, recs[1][5], recs[len(recs)-1][5])
		}
		if x := exec.get("/actions/export?format=xlsx"); x.StatusCode != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("XLSX: %d", x.StatusCode)
		}

		mine, _ := managedEngagements(t, e)
		ms, n, _ := models.MeetingsOf(t.Context(), e.db, mine.ID, today(), 0)
		r = exec.get(fmt.Sprintf("/meetings/export?engagement=%d&format=csv", mine.ID))
		recs = readCSV(t, r.Body)
		if r.StatusCode != http.StatusOK || n == 0 || int64(len(recs)-1) != n || recs[1][0] != mine.Code || recs[1][3] != ms[0].HeldOn.String() ||
			recs[1][6] != ms[0].Decisions {
			t.Errorf("the engagement's meetings as CSV: %d, %d rows for %d meetings", r.StatusCode, len(recs)-1, n)
		}
		_, all, _ := models.MeetingsOf(t.Context(), e.db, 0, today(), 0)
		if recs := readCSV(t, exec.get("/meetings/export?format=csv").Body); int64(len(recs)-1) != all {
			t.Errorf("every meeting as CSV: %d rows for %d", len(recs)-1, all)
		}
		if x := exec.get("/meetings/export?format=xlsx"); x.StatusCode != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
			t.Errorf("XLSX: %d", x.StatusCode)
		}
		if bad := exec.get("/actions/export?format=pdf"); bad.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown format: %d", bad.StatusCode)
		}
	})
}

// An action typed in the second row of the meeting form, the first left
// blank, is answered beside the second row; the meetings export of an
// engagement named wrongly says so rather than exporting the portfolio's.
func TestMeetingFormRowsAndExportEngagement(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		mgr := e.client()
		mgr.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/meetings", mine.ID)
		form := scrapeForm(t, mgr.get(path), `#meeting-form form`)
		form.Set("attendees", "Ann Lee")
		form.Set("action_2", "Send the minutes")
		form.Set("owner_2", "Ann Lee")
		form.Set("due_2", today().AddDays(-3).String()) // before the meeting, held today
		r := mgr.post(path, form)
		doc := r.Doc(t)
		if r.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-due_2"]`).Length() != 1 || doc.Find(`[data-testid="error-due_1"]`).Length() != 0 {
			t.Errorf("the second row's due date: %d, errors beside row 2: %d, row 1: %d", r.StatusCode,
				doc.Find(`[data-testid="error-due_2"]`).Length(), doc.Find(`[data-testid="error-due_1"]`).Length())
		}
		if r := mgr.get("/meetings/export?format=csv&engagement=abc"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("a malformed engagement: %d", r.StatusCode)
		}
		if r := mgr.get("/meetings/export?format=csv&engagement=999999"); r.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown engagement: %d", r.StatusCode)
		}
	})
}
