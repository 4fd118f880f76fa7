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

var hxHeaders = map[string]string{"HX-Request": "true"}

// rowDoc parses a swapped register row as the browser does: inside a table
// (an HTML parser drops a bare <tr>).
func rowDoc(t *testing.T, r resp) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + r.Body + "</tbody></table>"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lastChange is the newest history row of a risk for a column.
func lastChange(t *testing.T, e *env, id uint, field string) models.Change {
	t.Helper()
	var ch models.Change
	e.db.Where("entity = ? AND entity_id = ? AND field = ?", "risk", id, field).Order("id DESC").Limit(1).Find(&ch)
	return ch
}

// quickLink is the link of a register row's quick actions on the register page
// back, which htmx fetches when the row's disclosure opens (and a browser
// without JavaScript follows).
func quickLink(t *testing.T, c *client, back string, id uint) string {
	t.Helper()
	doc := c.get(back).Doc(t)
	row := doc.Find(fmt.Sprintf(`#risk-%d [data-testid="quick-actions"]`, id))
	link, ok := row.Find("a").Attr("href")
	if !ok || row.AttrOr("hx-get", "") != link {
		t.Fatalf("row %d of %s: no link to its quick actions (%q, hx-get %q)", id, back, link, row.AttrOr("hx-get", ""))
	}
	return link
}

// quickForm is the form a register row posts for an action, as its quick
// actions' page renders it.
func quickForm(t *testing.T, c *client, back string, id uint, action string) url.Values {
	t.Helper()
	r := c.get(quickLink(t, c, back, id))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("quick actions of %d: %d", id, r.StatusCode)
	}
	return scrapeForm(t, r, fmt.Sprintf(`#risk-%d form.quick-%s`, id, action))
}

// The register renders each editable row's quick actions closed and without
// their forms; opening one fetches its forms (htmx: the panel alone, which
// returns to the register page it came from) or, without JavaScript, follows
// the link to a page with the row and its forms open.
func TestRiskQuickActionsOnDemand(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		id := f.mine.ID
		back := fmt.Sprintf("/risks?q=%s&sort=review", url.QueryEscape(f.mine.Ref))
		row := c.get(back).Doc(t).Find(fmt.Sprintf(`#risk-%d`, id))
		if row.Find(`[data-testid="quick-actions"]`).Length() != 1 || row.Find("form").Length() != 0 || row.Find("details[open]").Length() != 0 {
			t.Fatalf("the register row should carry a closed disclosure without forms:\n%s", outer(row))
		}
		link := quickLink(t, c, back, id)
		hx := c.htmx(link)
		panel := hx.Doc(t).Find(fmt.Sprintf(`#quick-risk-%d[data-testid="quick-panel"]`, id))
		if hx.StatusCode != http.StatusOK || strings.Contains(hx.Body, "<html") || panel.Length() != 1 {
			t.Fatalf("htmx quick actions: %d\n%.400s", hx.StatusCode, hx.Body)
		}
		for _, a := range []string{"status", "review", "close", "accept"} {
			form := panel.Find("form.quick-" + a)
			if form.Length() != 1 || form.Find(`input[name="back"]`).AttrOr("value", "") != back ||
				form.Find(`input[name="version"]`).AttrOr("value", "") != fmt.Sprint(f.mine.Version) || form.AttrOr("hx-target", "") != fmt.Sprintf("#risk-%d", id) {
				t.Errorf("the %s form of the panel: %s", a, outer(form))
			}
		}
		page := c.get(link)
		doc := page.Doc(t)
		if page.StatusCode != http.StatusOK || doc.Find(fmt.Sprintf(`#risk-%d details[open] form.quick-close`, id)).Length() != 1 ||
			doc.Find(`nav.crumbs a`).AttrOr("href", "") != back {
			t.Errorf("the quick actions' page: %d\n%.600s", page.StatusCode, page.Body)
		}
		// Another manager's risk, and an executive: no panel.
		if r := c.htmx(fmt.Sprintf("/risks/%d/quick?back=/risks", f.theirs.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("quick actions of another manager's risk: %d", r.StatusCode)
		}
		ex := e.client()
		ex.login(models.RoleExecutive)
		if r := ex.get(link); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive opening quick actions: %d", r.StatusCode)
		}
		// A back that leaves the site is not followed.
		if r := c.get(fmt.Sprintf("/risks/%d/quick?back=%s", id, url.QueryEscape("https://example.com/x"))); strings.Contains(r.Body, "example.com") {
			t.Error("the quick page returns to another site")
		}
	})
}

// outer is a selection's markup, for failure messages.
func outer(s *goquery.Selection) string {
	h, err := goquery.OuterHtml(s)
	if err != nil {
		return err.Error()
	}
	return h
}

// Every quick action, with htmx (the row swaps in place with a message) and
// without (a redirect back to the register), stores the change with its history.
func TestRiskQuickActions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		today := models.DateOf(dbtest.Now())
		s := models.DefaultRiskSettings()
		c := e.client()
		c.login(models.RoleManager)
		id := f.mine.ID
		back := fmt.Sprintf("/risks?q=%s", url.QueryEscape(f.mine.Ref))
		if n := c.get(back).Doc(t).Find(fmt.Sprintf(`#risk-%d [data-testid="quick-actions"]`, id)).Length(); n != 1 {
			t.Fatalf("the register row has %d quick-action panels", n)
		}

		// Status with htmx: the row comes back with the new status and a message for #flash.
		form := quickForm(t, c, back, id, "status")
		form.Set("status", models.StatusMitigating)
		if f.mine.Status == models.StatusMitigating {
			form.Set("status", models.StatusOpen)
		}
		want := form.Get("status")
		r := c.send(http.MethodPost, fmt.Sprintf("/risks/%d/status", id), form, hxHeaders)
		if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "<html") {
			t.Fatalf("htmx status: %d\n%.300s", r.StatusCode, r.Body)
		}
		doc := rowDoc(t, r)
		if got := strings.TrimSpace(doc.Find(fmt.Sprintf(`#risk-%d [data-testid="risk-status"]`, id)).Text()); !strings.EqualFold(got, want) {
			t.Errorf("swapped row says %q, want %s", got, want)
		}
		if doc.Find(`#flash[hx-swap-oob] [data-testid="flash"]`).Length() != 1 {
			t.Error("no success message swapped into #flash")
		}
		if got := storedRisk(t, e, id); got.Status != want || got.Version != f.mine.Version+1 {
			t.Errorf("stored status %s v%d", got.Status, got.Version)
		}
		if ch := lastChange(t, e, id, "status"); ch.Old != f.mine.Status || ch.New != want || ch.UserID == nil {
			t.Errorf("status history: %+v", ch)
		}

		// Review without htmx: 303 back to the register at the row, next review from the cadence.
		form = quickForm(t, c, back, id, "review")
		r = c.post(fmt.Sprintf("/risks/%d/review", id), form)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != back+fmt.Sprintf("#risk-%d", id) {
			t.Fatalf("review: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		cur := storedRisk(t, e, id)
		if wantNext := s.NextReview(today, cur.ResidualScore); cur.NextReview != wantNext {
			t.Errorf("next review %s, want %s", cur.NextReview, wantNext)
		}
		if ch := lastChange(t, e, id, "next_review"); ch.Action != "review" || ch.New != cur.NextReview.String() {
			t.Errorf("review history: %+v", ch)
		}
		if page := c.get(back); !strings.Contains(page.Body, "Review of "+f.mine.Ref+" recorded") {
			t.Error("no success message after the redirect")
		}

		// Close: without a reason → 422 with the row's form open and the error (htmx), or a page (no JS).
		form = quickForm(t, c, back, id, "close")
		form.Set("closed_reason", "")
		r = c.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", id), form, hxHeaders)
		if r.StatusCode != http.StatusUnprocessableEntity || rowDoc(t, r).Find(`details[open] [data-testid="error-closed_reason"]`).Length() != 1 {
			t.Errorf("htmx close without reason: %d\n%.400s", r.StatusCode, r.Body)
		}
		r = c.post(fmt.Sprintf("/risks/%d/close", id), form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "<html") || r.Doc(t).Find(`[data-testid="error-closed_reason"]`).Length() != 1 {
			t.Errorf("plain close without reason: %d", r.StatusCode)
		}
		if storedRisk(t, e, id).Status == models.StatusClosed {
			t.Fatal("a refused close was stored")
		}
		form.Set("closed_reason", "Vendor replaced the tooling")
		r = c.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", id), form, hxHeaders)
		if r.StatusCode != http.StatusOK || !strings.Contains(rowDoc(t, r).Find(`[data-testid="flash"]`).Text(), "closed") {
			t.Fatalf("htmx close: %d", r.StatusCode)
		}
		cur = storedRisk(t, e, id)
		if cur.Status != models.StatusClosed || cur.ClosedOn != today || cur.ClosedReason != "Vendor replaced the tooling" {
			t.Errorf("closed: %s %s %q", cur.Status, cur.ClosedOn, cur.ClosedReason)
		}
		if ch := lastChange(t, e, id, "status"); ch.Action != "close" || ch.New != models.StatusClosed {
			t.Errorf("close history: %+v", ch)
		}
		// Nothing is deleted: the closed risk is found with status=closed (and all), not in the live register.
		if c.get("/risks?status=closed&q="+url.QueryEscape(f.mine.Ref)).Doc(t).Find(fmt.Sprintf("#risk-%d", id)).Length() != 1 {
			t.Error("the closed risk is not findable with status=closed")
		}
		if c.get(back).Doc(t).Find(fmt.Sprintf("#risk-%d", id)).Length() != 0 {
			t.Error("the closed risk is still in the live register")
		}

		// Reopen (status on a closed risk) clears the closure, keeping it in history.
		all := back + "&status=all"
		form = quickForm(t, c, all, id, "status")
		r = c.send(http.MethodPost, fmt.Sprintf("/risks/%d/status", id), form, hxHeaders)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("reopen: %d", r.StatusCode)
		}
		if cur = storedRisk(t, e, id); cur.Status != models.StatusOpen || !cur.ClosedOn.IsZero() || cur.ClosedReason != "" {
			t.Errorf("reopened: %s %s %q", cur.Status, cur.ClosedOn, cur.ClosedReason)
		}
		if ch := lastChange(t, e, id, "closed_reason"); ch.Old != "Vendor replaced the tooling" || ch.New != "" {
			t.Errorf("reopen history: %+v", ch)
		}

		// Accept without htmx.
		form = quickForm(t, c, back, id, "accept")
		form.Set("accepted_by", "Jordan Sponsor")
		form.Set("accept_justification", "Cost of further mitigation exceeds the exposure.")
		form.Set("accept_expiry", today.AddDays(120).String())
		if r = c.post(fmt.Sprintf("/risks/%d/accept", id), form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept: %d\n%.400s", r.StatusCode, r.Body)
		}
		cur = storedRisk(t, e, id)
		if cur.Status != models.StatusAccepted || cur.AcceptedBy != "Jordan Sponsor" || cur.AcceptExpiry != today.AddDays(120) || cur.Response != "accept" {
			t.Errorf("accepted: %+v", cur)
		}
		if ch := lastChange(t, e, id, "accepted_by"); ch.Action != "accept" || ch.New != "Jordan Sponsor" {
			t.Errorf("accept history: %+v", ch)
		}
		// An expiry in the past is refused beside its field.
		form = quickForm(t, c, back, id, "accept")
		form.Set("accepted_by", "Jordan Sponsor")
		form.Set("accept_justification", "Again")
		form.Set("accept_expiry", today.AddDays(-1).String())
		if r = c.send(http.MethodPost, fmt.Sprintf("/risks/%d/accept", id), form, hxHeaders); r.StatusCode != http.StatusUnprocessableEntity ||
			rowDoc(t, r).Find(`[data-testid="error-accept_expiry"]`).Length() != 1 {
			t.Errorf("accept expiring yesterday: %d", r.StatusCode)
		}
	})
}

// A quick action from a row rendered before someone else saved still holds
// while the risk's status is the one the row showed (every quick action
// turns on it): after another person's review, a stale close is applied to
// the risk as it is now, and the message says whose change it merged with.
// After another person changed the status it is a 409: the row comes back
// with the stored values and the user's input kept in its form.
func TestRiskQuickActionConflict(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		id := f.mine.ID
		back := "/risks?q=" + url.QueryEscape(f.mine.Ref)
		slow, fast := e.client(), e.client()
		slow.login(models.RoleManager)
		fast.login(models.RoleAdmin)
		admin := demoUser(t, e, models.RoleAdmin)

		// Another person's review leaves the status: the stale close merges.
		stale := quickForm(t, slow, back, id, "close")
		if r := fast.post(fmt.Sprintf("/risks/%d/review", id), quickForm(t, fast, back, id, "review")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first action: %d", r.StatusCode)
		}
		reviewed := storedRisk(t, e, id)
		stale.Set("closed_reason", "Closing after their review")
		r := slow.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", id), stale, hxHeaders)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("stale close after a review: %d, want it merged (200)", r.StatusCode)
		}
		if !strings.Contains(r.Body, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not name the change merged with:\n%.600s", r.Body)
		}
		cur := storedRisk(t, e, id)
		if cur.Status != models.StatusClosed || cur.ClosedReason != "Closing after their review" || cur.NextReview != reviewed.NextReview {
			t.Errorf("after the merged close: %s %q, next review %s (their review's %s)", cur.Status, cur.ClosedReason, cur.NextReview, reviewed.NextReview)
		}

		// Another person's status change: a stale action on the old status is 409.
		back += "&status=all" // the closed risk is listed
		reopen := quickForm(t, fast, back, id, "status")
		reopen.Set("status", models.StatusOpen)
		if r := fast.post(fmt.Sprintf("/risks/%d/status", id), reopen); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reopening: %d", r.StatusCode)
		}
		reopened := storedRisk(t, e, id)
		stale = quickForm(t, slow, back, id, "close")
		if r := fast.post(fmt.Sprintf("/risks/%d/status", id), func() url.Values {
			v := quickForm(t, fast, back, id, "status")
			v.Set("status", models.StatusMitigating)
			return v
		}()); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("mitigating: %d", r.StatusCode)
		}
		moved := storedRisk(t, e, id)
		stale.Set("closed_reason", "Closing on old information")
		r = slow.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", id), stale, hxHeaders)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale close after a status change: %d, want 409", r.StatusCode)
		}
		doc := rowDoc(t, r)
		if msg := doc.Find(`[data-testid="conflict"]`).Text(); !strings.Contains(msg, admin.Name) || !strings.Contains(msg, "mitigating") {
			t.Errorf("the conflict does not say who changed the status to what: %q", msg)
		}
		if got := doc.Find(`textarea[name="closed_reason"]`).Text(); got != "Closing on old information" {
			t.Errorf("the user's reason was lost: %q", got)
		}
		if got := doc.Find(`form.quick-close input[name="version"]`).AttrOr("value", ""); got != fmt.Sprint(moved.Version) {
			t.Errorf("the row's form carries version %s, stored %d", got, moved.Version)
		}
		if cur := storedRisk(t, e, id); cur.Status != models.StatusMitigating || cur.Version != moved.Version || reopened.Version >= moved.Version {
			t.Errorf("the stale close was stored: %+v", cur)
		}
		// Submitting the form the 409 gave applies it.
		again := scrapeForm(t, resp{r.Response, "<table><tbody>" + r.Body + "</tbody></table>"}, "form.quick-close")
		if r := slow.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", id), again, hxHeaders); r.StatusCode != http.StatusOK {
			t.Errorf("close after the conflict: %d", r.StatusCode)
		}
		if cur := storedRisk(t, e, id); cur.Status != models.StatusClosed || cur.ClosedReason != "Closing on old information" {
			t.Errorf("after resubmitting: %s %q", cur.Status, cur.ClosedReason)
		}
	})
}

// Quick actions are refused (403, nothing stored) to executives, to managers on
// others' engagements, and to managers on portfolio-wide risks.
func TestRiskQuickActionsAuthorised(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	f := pickRisks(t, e)
	exec, mgr, admin := e.client(), e.client(), e.client()
	exec.login(models.RoleExecutive)
	mgr.login(models.RoleManager)
	admin.login(models.RoleAdmin)
	for _, tc := range []struct {
		who  string
		c    *client
		risk models.Risk
	}{{"executive", exec, f.mine}, {"manager", mgr, f.theirs}, {"manager", mgr, f.portfolio}} {
		form := url.Values{"_csrf": {tc.c.token()}, "version": {fmt.Sprint(tc.risk.Version)}, "closed_on": {today().String()}, "closed_reason": {"x"}}
		for _, hx := range []map[string]string{nil, hxHeaders} {
			if r := tc.c.send(http.MethodPost, fmt.Sprintf("/risks/%d/close", tc.risk.ID), form, hx); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s closing %s (htmx %v): %d", tc.who, tc.risk.Ref, hx != nil, r.StatusCode)
			}
		}
		if got := storedRisk(t, e, tc.risk.ID); got.Status == models.StatusClosed {
			t.Errorf("%s closed %s", tc.who, tc.risk.Ref)
		}
	}
	// Rows the user may not change carry no quick actions.
	doc := mgr.get("/risks?status=all&q=" + url.QueryEscape(f.theirs.Ref)).Doc(t)
	if doc.Find(fmt.Sprintf(`#risk-%d [data-testid="quick-actions"]`, f.theirs.ID)).Length() != 0 {
		t.Error("another manager's row offers quick actions")
	}
	if exec.get("/risks").Doc(t).Find(`[data-testid="quick-actions"]`).Length() != 0 {
		t.Error("executives see quick actions")
	}
	form := url.Values{"_csrf": {admin.token()}, "version": {fmt.Sprint(f.portfolio.Version)}}
	if r := admin.send(http.MethodPost, fmt.Sprintf("/risks/%d/review", f.portfolio.ID), form, hxHeaders); r.StatusCode != http.StatusOK {
		t.Errorf("admin reviewing a portfolio-wide risk: %d", r.StatusCode)
	}
}
