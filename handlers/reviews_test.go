package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// The reviews index lists quarters; a pack is a draft until an admin publishes it,
// then it says who published it; executives cannot publish.
func TestReviewPackDraftAndPublish(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		exec := e.client()
		exec.login(models.RoleExecutive)
		idx := exec.get("/reviews")
		if idx.StatusCode != http.StatusOK || !strings.Contains(idx.Body, "/reviews/"+reviewQuarter()) {
			t.Fatalf("reviews index: %d", idx.StatusCode)
		}
		pk := exec.get("/reviews/" + reviewQuarter())
		doc := pk.Doc(t)
		if got := doc.Find(`[data-testid="pack-status"]`).Text(); !strings.Contains(got, "Draft") {
			t.Fatalf("status %q", got)
		}
		if n := doc.Find(`[data-testid="pack-engagement"]`).Length(); n < 10 {
			t.Fatalf("%d engagement sections", n)
		}
		if doc.Find(`[data-testid="publish"]`).Length() != 0 {
			t.Error("an executive is offered the publish button")
		}
		if r := exec.post("/reviews/"+reviewQuarter()+"/publish", url.Values{"_csrf": {exec.csrf("/reviews/" + reviewQuarter())}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("executive publish: %d", r.StatusCode)
		}
		admin := e.client()
		admin.login(models.RoleAdmin)
		if r := admin.post("/reviews/"+reviewQuarter(1)+"/publish", url.Values{"_csrf": {admin.csrf("/reviews/" + reviewQuarter())}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("publishing the unfinished quarter: %d", r.StatusCode)
		}
		// Publishing is deliberate: the button opens a page naming the quarter
		// and what freezes; a post without its confirmation publishes nothing.
		q := reviewQuarter()
		confirmPage := admin.get("/reviews/" + q + "/publish")
		if confirmPage.StatusCode != http.StatusOK || !strings.Contains(confirmPage.Doc(t).Find(`[data-testid="publish-confirm"]`).Text(), "freezes the pack of fiscal quarter "+q) {
			t.Fatalf("the confirmation page: %d", confirmPage.StatusCode)
		}
		r := admin.post("/reviews/"+q+"/publish", url.Values{"_csrf": {admin.csrf("/reviews/" + q)}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reviews/"+q+"/publish" {
			t.Fatalf("an unconfirmed publish: %d %s, want 303 to the confirmation page", r.StatusCode, r.Header.Get("Location"))
		}
		var n int64
		e.db.Model(&models.PublishedPack{}).Where("quarter = ?", q).Count(&n)
		if n != 0 {
			t.Fatalf("an unconfirmed publish stored %d packs", n)
		}
		r = admin.post("/reviews/"+q+"/publish", scrapeForm(t, confirmPage, `[data-testid="publish-confirm"] form`))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reviews/"+q {
			t.Fatalf("publish: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		e.db.Model(&models.PublishedPack{}).Where("quarter = ?", q).Count(&n)
		if n != 1 {
			t.Fatalf("%d published rows", n)
		}
		if got := exec.get("/reviews/" + reviewQuarter()).Doc(t).Find(`[data-testid="pack-status"]`).Text(); !strings.Contains(got, "Published by") {
			t.Errorf("after publishing the status says %q", got)
		}
		if again := admin.post("/reviews/"+q+"/publish", url.Values{"_csrf": {admin.csrf("/reviews/" + reviewQuarter(-1))}, "confirm": {q}}); again.StatusCode != http.StatusConflict {
			t.Errorf("second publish: %d", again.StatusCode)
		}
	})
}

// A published pack is corrected by publishing a new version with its reason:
// the earlier version stays readable, nothing is replaced, and the history
// says who corrected it, when and why.
func TestReviewPackCorrection(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		q := reviewQuarter()
		admin := e.client()
		admin.login(models.RoleAdmin)
		if r := admin.get("/reviews/" + q + "/correct"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reviews/"+q+"/publish" {
			t.Errorf("correcting an unpublished quarter: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := admin.post("/reviews/"+q+"/publish", scrapeForm(t, admin.get("/reviews/"+q+"/publish"), `[data-testid="publish-confirm"] form`)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", r.StatusCode)
		}
		if r := admin.get("/reviews/" + q + "/publish"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reviews/"+q+"/correct" {
			t.Errorf("the publish page of a published quarter: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		page := admin.get("/reviews/" + q + "/correct")
		form := scrapeForm(t, page, `[data-testid="publish-confirm"] form`)
		r := admin.post("/reviews/"+q+"/correct", form)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="error-reason"]`).Length() == 0 {
			t.Fatalf("a correction without a reason: %d", r.StatusCode)
		}
		const reason = "September's vendor fees for BOT-PL-01 were entered twice."
		form.Set("reason", reason)
		if r := admin.post("/reviews/"+q+"/correct", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction: %d\n%.500s", r.StatusCode, r.Body)
		}
		var rows []models.PublishedPack
		e.db.Where("quarter = ?", q).Order("version").Find(&rows)
		if len(rows) != 2 || rows[0].Version != 1 || rows[1].Version != 2 || rows[1].Reason != reason || rows[0].Reason != "" {
			t.Fatalf("published rows after a correction: %+v", rows)
		}
		exec := e.client()
		exec.login(models.RoleExecutive)
		doc := exec.get("/reviews/" + q).Doc(t)
		if got := doc.Find(`[data-testid="pack-status"]`).Text(); !strings.Contains(got, "Version 2, a correction") {
			t.Errorf("the corrected pack's status: %q", got)
		}
		if got := doc.Find(`[data-testid="pack-correction"]`).Text(); !strings.Contains(got, "entered twice") {
			t.Errorf("the reason is not on the cover: %q", got)
		}
		old := exec.get("/reviews/" + q + "?version=1&part=all")
		if old.StatusCode != http.StatusOK || !strings.Contains(old.Doc(t).Find(`[data-testid="pack-status"]`).Text(), "Published by") ||
			strings.Contains(old.Body, "entered twice") {
			t.Errorf("version 1 is not readable as it was: %d", old.StatusCode)
		}
		if r := exec.get("/reviews/" + q + "?version=7&part=all"); r.StatusCode != http.StatusNotFound {
			t.Errorf("a version never published: %d", r.StatusCode)
		}
		// A page rendered before another correction is 409, and publishes nothing.
		form.Set("reason", "A second look") // still "after" version 1
		if r := admin.post("/reviews/"+q+"/correct", form); r.StatusCode != http.StatusConflict {
			t.Errorf("a correction of a version no longer the latest: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.PublishedPack{}).Where("quarter = ?", q).Count(&n)
		if n != 2 {
			t.Errorf("%d published versions after a stale correction", n)
		}
		if !hasChange(changesOf(t, e, "pack", rows[1].ID), "version", "1", "2: "+reason) {
			t.Error("the correction is not in the history")
		}
		if r := exec.post("/reviews/"+q+"/correct", url.Values{"_csrf": {exec.csrf("/reviews/" + q)}, "confirm": {q}, "reason": {"x"}, "after": {"2"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive's correction: %d", r.StatusCode)
		}
	})
}

// Bad quarters and engagements outside the quarter are not found; the pack's print sheet names the quarter.
func TestReviewPackAddresses(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	for _, path := range []string{"/reviews/2026-Q5", "/reviews/banana", "/reviews/" + reviewQuarter() + "/engagements/99999"} {
		if r := c.get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	css := c.get("/reviews/" + reviewQuarter() + "/pack.css?on=" + today().String())
	if css.StatusCode != http.StatusOK || !strings.Contains(css.Body, `"Portfolio review `+reviewQuarter()+`"`) || !strings.Contains(css.Body, "counter(pages)") {
		t.Errorf("pack.css: %d\n%s", css.StatusCode, css.Body)
	}
	if r := c.get("/reviews?quarter=" + reviewQuarter(-1)); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reviews/"+reviewQuarter(-1) {
		t.Errorf("quarter chooser: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// A manager records the quarter's commentary for an engagement they manage: stored
// with history, shown in the pack; bad input is 422 with the text kept; a stale
// form is 409; another manager's engagement is 403.
func TestReviewCommentary(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var mgr models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
		var mine, other models.Engagement
		e.db.Where("manager_id = ?", mgr.ID).Order("id").First(&mine)
		e.db.Where("manager_id <> ? AND id NOT IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?)", mgr.ID, mgr.ID).Order("id").First(&other)
		c := e.client()
		c.login(models.RoleManager)
		path := fmt.Sprintf("/reviews/"+reviewQuarter()+"/engagements/%d/commentary", mine.ID)
		form := c.get(path)
		if form.StatusCode != http.StatusOK {
			t.Fatalf("form: %d", form.StatusCode)
		}
		version := form.Doc(t).Find(`input[name="version"]`).AttrOr("value", "")
		tok := c.csrf(path)
		bad := c.post(path, url.Values{"_csrf": {tok}, "version": {version}, "rating": {"purple"}, "commentary": {"Keep this text"}})
		if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Keep this text") {
			t.Fatalf("invalid rating: %d", bad.StatusCode)
		}
		ok := c.post(path, url.Values{"_csrf": {tok}, "version": {version}, "rating": {"amber"}, "commentary": {"Transition on track; two SLAs recovering."},
			"decisions": {"Extend hypercare by one month."}, "action": {"Agree exit criteria"}, "action_owner": {"Tomás Novák"}, "action_due": {today().AddDays(8).String()}})
		if ok.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", ok.StatusCode, ok.Body)
		}
		var gr models.GovernanceReview
		e.db.Where("engagement_id = ? AND quarter = ?", mine.ID, reviewQuarter()).First(&gr)
		if gr.Rating != "amber" || gr.Decisions != "Extend hypercare by one month." {
			t.Fatalf("stored %+v", gr)
		}
		var hist int64
		e.db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND field = ?", "governance_review", gr.ID, "decisions").Count(&hist)
		if hist != 1 {
			t.Errorf("history rows for decisions: %d", hist)
		}
		page := c.get(fmt.Sprintf("/reviews/"+reviewQuarter()+"/engagements/%d", mine.ID))
		if !strings.Contains(page.Body, "Transition on track") || !strings.Contains(page.Body, "Agree exit criteria") {
			t.Error("the engagement pack does not show the commentary and action")
		}
		stale := c.post(path, url.Values{"_csrf": {tok}, "version": {version}, "rating": {"green"}, "commentary": {"My late edit"}})
		if stale.StatusCode != http.StatusConflict || !strings.Contains(stale.Body, "My late edit") || !strings.Contains(stale.Body, "Transition on track") {
			t.Errorf("stale save: %d", stale.StatusCode)
		}
		theirs := fmt.Sprintf("/reviews/"+reviewQuarter()+"/engagements/%d/commentary", other.ID)
		// Another manager's commentary is shown, not offered for editing.
		if r := c.get(theirs); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `name="commentary"`) {
			t.Errorf("another manager's commentary page: %d, with a form: %v", r.StatusCode, strings.Contains(r.Body, `name="commentary"`))
		}
		if r := c.post(theirs, url.Values{"_csrf": {tok}, "version": {"0"}, "commentary": {"x"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's engagement: %d", r.StatusCode)
		}
	})
}

// Commentary runs the edit forms' cycle: two people changing different fields
// of a quarter's commentary both keep their change; once the quarter is
// published its commentary is frozen (409, nothing stored).
func TestReviewCommentaryMergesAndFreezes(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		path := fmt.Sprintf("/reviews/%s/engagements/%d/commentary", reviewQuarter(), mine.ID)
		mgr, admin := e.client(), e.client()
		mgr.login(models.RoleManager)
		admin.login(models.RoleAdmin)
		a := scrapeForm(t, admin.get(path), "#commentary-form form")
		b := scrapeForm(t, mgr.get(path), "#commentary-form form")
		a.Set("decisions", "Approve the second wave.")
		if r := admin.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d", r.StatusCode)
		}
		b.Set("commentary", "Both SLAs recovered in the last month.")
		if r := mgr.post(path, b); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge\n%.500s", r.StatusCode, r.Body)
		}
		var gr models.GovernanceReview
		e.db.Where("engagement_id = ? AND quarter = ?", mine.ID, reviewQuarter()).First(&gr)
		if gr.Decisions != "Approve the second wave." || gr.Commentary != "Both SLAs recovered in the last month." {
			t.Errorf("after both saves: decisions %q, commentary %q", gr.Decisions, gr.Commentary)
		}
		q := reviewQuarter()
		if r := admin.post("/reviews/"+q+"/publish", scrapeForm(t, admin.get("/reviews/"+q+"/publish"), `[data-testid="publish-confirm"] form`)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", r.StatusCode)
		}
		late := url.Values{"_csrf": {mgr.csrf("/reviews/" + q)}, "version": {fmt.Sprint(gr.Version)}, "commentary": {"After publishing"}}
		if r := mgr.post(path, late); r.StatusCode != http.StatusConflict {
			t.Errorf("commentary of a published quarter: %d, want 409", r.StatusCode)
		}
		before := gr
		e.db.First(&gr, gr.ID)
		if gr.Commentary != before.Commentary || gr.Version != before.Version {
			t.Errorf("a published quarter's commentary changed: %q v%d", gr.Commentary, gr.Version)
		}
	})
}

// A month of the quarter with costs but no exchange rate of its own makes the
// pack provisional (it says which rate it used) and holds back publishing:
// the confirmation page says why, and a post is 422 with nothing published.
func TestReviewPackWaitsForRates(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		q := reviewQuarter()
		fy := models.DefaultFiscal
		qq, _ := models.ParseQuarter(q)
		last := fy.Months(qq)[2]
		var rec models.CostRecord
		if err := e.db.Where("month = ? AND currency <> ?", last, "USD").Order("id").First(&rec).Error; err != nil {
			t.Fatalf("no cost record in another currency in %s: %v", ym(last), err)
		}
		must(t, e.db.Where("currency = ? AND month = ?", rec.Currency, last).Delete(&models.FXRate{}).Error)
		admin := e.client()
		admin.login(models.RoleAdmin)
		label := rec.Currency + " " + last.Format("Jan 2006")
		page := admin.get("/reviews/" + q + "/publish")
		if got := page.Doc(t).Find(`[data-testid="publish-blocked"]`).Text(); !strings.Contains(got, label) {
			t.Errorf("the confirmation page does not say %s lacks its rate: %q", label, got)
		}
		form := scrapeForm(t, page, `[data-testid="publish-confirm"] form`)
		if r := admin.post("/reviews/"+q+"/publish", form); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, label) {
			t.Errorf("publishing with a month unrated: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.PublishedPack{}).Where("quarter = ?", q).Count(&n)
		if n != 0 {
			t.Errorf("%d packs published", n)
		}
		note := admin.get("/reviews/" + q + "?part=all").Doc(t).Find(`[data-testid="pack-provisional"]`).Text()
		if !strings.Contains(note, label+" at ") {
			t.Errorf("the pack does not say it is provisional for %s: %q", label, note)
		}
	})
}

// An administrator writes the quarter's key messages and asks of the board:
// they print on the pack's summary page, a line a bullet; two
// administrators changing different fields both keep theirs, the same field
// is 409 with both texts; bad input is 422 with the text kept; a manager may
// read them, not post them (403); once published they are frozen (409).
func TestPortfolioCommentary(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		q := reviewQuarter()
		path := "/reviews/" + q + "/commentary"
		a, b, mgr := e.client(), e.client(), e.client()
		a.login(models.RoleAdmin)
		b.login(models.RoleAdmin)
		mgr.login(models.RoleManager)
		if r := a.get("/reviews/" + q); !strings.Contains(r.Body, "No key messages or asks of the board are written for "+q) {
			t.Error("a draft without key messages does not say so")
		}
		fa := scrapeForm(t, a.get(path), "#portfolio-commentary-form form")
		fb := scrapeForm(t, b.get(path), "#portfolio-commentary-form form")
		fa.Set("key_messages", "Hard savings on plan year to date.\nTwo BOT transfers prepared.")
		if r := a.post(path, fa); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.500s", r.StatusCode, r.Body)
		}
		fb.Set("asks", "Approve the Kraków transfer date.")
		if r := b.post(path, fb); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of the other field: %d, want a merge\n%.500s", r.StatusCode, r.Body)
		}
		var c models.PortfolioCommentary
		e.db.Where("quarter = ?", q).First(&c)
		if c.KeyMessages != "Hard savings on plan year to date.\nTwo BOT transfers prepared." || c.Asks != "Approve the Kraków transfer date." || c.Version != 2 {
			t.Fatalf("stored %+v", c)
		}
		doc := a.get("/reviews/" + q).Doc(t)
		got := doc.Find(`[data-testid="pack-commentary"] li`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if !reflect.DeepEqual(got, []string{"Hard savings on plan year to date.", "Two BOT transfers prepared.", "Approve the Kraków transfer date."}) {
			t.Errorf("the pack's key messages and asks: %q", got)
		}
		fb.Set("key_messages", "My own message")
		if r := b.post(path, fb); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "My own message") || !strings.Contains(r.Body, "Two BOT transfers prepared.") {
			t.Errorf("the same field changed by both: %d", r.StatusCode)
		}
		long := scrapeForm(t, a.get(path), "#portfolio-commentary-form form")
		long.Set("asks", strings.Repeat("x", 2001))
		if r := a.post(path, long); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Two BOT transfers prepared.") {
			t.Errorf("asks too long: %d", r.StatusCode)
		}
		if r := mgr.get(path); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `name="key_messages"`) || !strings.Contains(r.Body, "Approve the Kraków transfer date.") {
			t.Errorf("a manager's view: %d, with a form: %v", r.StatusCode, strings.Contains(r.Body, `name="key_messages"`))
		}
		if r := mgr.post(path, url.Values{"_csrf": {mgr.csrf("/reviews/" + q)}, "version": {"2"}, "asks": {"x"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("a manager's post: %d, want 403", r.StatusCode)
		}
		if r := a.post("/reviews/"+q+"/publish", scrapeForm(t, a.get("/reviews/"+q+"/publish"), `[data-testid="publish-confirm"] form`)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", r.StatusCode)
		}
		late := url.Values{"_csrf": {a.csrf("/reviews/" + q)}, "version": {"2"}, "asks": {"After publishing"}}
		if r := a.post(path, late); r.StatusCode != http.StatusConflict {
			t.Errorf("a published quarter's key messages: %d, want 409", r.StatusCode)
		}
		if r := a.get(path); !strings.Contains(r.Body, "frozen") || strings.Contains(r.Body, `name="key_messages"`) {
			t.Error("a published quarter's key messages are offered for editing")
		}
		e.db.Where("quarter = ?", q).First(&c)
		if c.Version != 2 || c.Asks != "Approve the Kraków transfer date." {
			t.Errorf("a published quarter's key messages changed: %+v", c)
		}
		if r := a.get("/reviews/" + q); !strings.Contains(r.Body, "Approve the Kraków transfer date.") {
			t.Error("the published pack lost its asks")
		}
	})
}
