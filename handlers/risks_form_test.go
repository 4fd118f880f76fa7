package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portfolio/models"
)

// riskFixture picks, from the demo data, a risk on an engagement the demo
// manager manages, one on an engagement they do not, and a portfolio-wide one.
type riskFixture struct {
	mine, theirs, portfolio models.Risk
	mineEng                 models.Engagement
}

func pickRisks(t *testing.T, e *env) riskFixture {
	t.Helper()
	mgr := demoUser(t, e, models.RoleManager)
	managed := "(SELECT id FROM engagements WHERE manager_id = ? OR id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?))"
	var f riskFixture
	if err := e.db.Where("status <> ? AND engagement_id IN "+managed, models.StatusClosed, mgr.ID, mgr.ID).Order("id").First(&f.mine).Error; err != nil {
		t.Fatalf("no live risk the demo manager manages: %v", err)
	}
	if err := e.db.Where("status <> ? AND engagement_id NOT IN "+managed, models.StatusClosed, mgr.ID, mgr.ID).Order("id").First(&f.theirs).Error; err != nil {
		t.Fatalf("no live risk of another manager: %v", err)
	}
	if err := e.db.Where("status <> ? AND engagement_id IS NULL", models.StatusClosed).Order("id").First(&f.portfolio).Error; err != nil {
		t.Fatalf("no portfolio-wide risk: %v", err)
	}
	e.db.First(&f.mineEng, *f.mine.EngagementID)
	return f
}

func storedRisk(t *testing.T, e *env, id uint) models.Risk {
	t.Helper()
	var r models.Risk
	if err := e.db.First(&r, id).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func riskPost(tok, engagementCode string) url.Values {
	return url.Values{"_csrf": {tok}, "engagement": {engagementCode}, "title": {"Offshore team attrition above 20 %"},
		"description": {"Attrition erodes knowledge of the estate."}, "category": {models.RiskCategories[8]},
		"inherent_likelihood": {"4"}, "inherent_impact": {"4"}, "residual_likelihood": {"3"}, "residual_impact": {"3"},
		"response": {"reduce"}, "mitigation": {"Retention bonuses; shadowing."}, "status": {models.StatusOpen},
		"raised_on": {today().AddDays(-17).String()}}
}

// A manager raises a risk on an engagement they manage: invalid input is a 422
// with the input kept and the error beside its field; valid input is stored with
// a generated reference, the band's review date and the history of its creation.
func TestRiskCreate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		page := c.get(fmt.Sprintf("/risks/new?engagement=%d", f.mineEng.ID))
		if page.StatusCode != http.StatusOK {
			t.Fatalf("new form: %d", page.StatusCode)
		}
		if got := page.Doc(t).Find(`select[name="engagement"] option[selected]`).AttrOr("value", ""); got != f.mineEng.Code {
			t.Errorf("engagement not preselected: %q", got)
		}
		tok := c.csrf("/risks/new")

		bad := riskPost(tok, f.mineEng.Code)
		bad.Set("title", "")
		bad.Set("residual_impact", "9")
		bad.Set("status", models.StatusClosed) // closed needs a date and a reason
		r := c.post("/risks", bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid create: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, field := range []string{"title", "residual_impact", "closed_on", "closed_reason"} {
			if doc.Find(`[data-testid="error-`+field+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", field)
			}
		}
		if v := doc.Find(`textarea[name="description"]`).Text(); v != "Attrition erodes knowledge of the estate." {
			t.Errorf("input not kept: %q", v)
		}
		var n int64
		e.db.Model(&models.Risk{}).Where("title = ?", "Offshore team attrition above 20 %").Count(&n)
		if n != 0 {
			t.Fatal("an invalid form stored a risk")
		}

		r = c.post("/risks", riskPost(tok, f.mineEng.Code))
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/risks/") {
			t.Fatalf("create: %d %q\n%.500s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		var got models.Risk
		e.db.Where("title = ?", "Offshore team attrition above 20 %").First(&got)
		if got.EngagementID == nil || *got.EngagementID != f.mineEng.ID || got.ResidualScore != 9 || got.InherentScore != 16 ||
			!strings.HasPrefix(got.Ref, "R-"+f.mineEng.Code+"-") || got.NextReview != today().AddDays(-17).AddDays(90) || got.Version != 1 {
			t.Errorf("stored: %+v", got)
		}
		chs := changesOf(t, e, "risk", got.ID)
		if !hasChange(chs, "title", "", got.Title) || !hasChange(chs, "residual_score", "", "9") || !hasChange(chs, "ref", "", got.Ref) {
			t.Errorf("creation history: %+v", chs)
		}
		if show := c.get(r.Header.Get("Location")); !strings.Contains(show.Body, "Risk "+got.Ref+" raised.") {
			t.Error("no success message on the risk page")
		}

		// With htmx the answer is a redirect header, not a page.
		hx := riskPost(tok, f.mineEng.Code)
		hx.Set("title", "Second risk raised with htmx")
		h := c.send(http.MethodPost, "/risks", hx, map[string]string{"HX-Request": "true"})
		if h.StatusCode != http.StatusNoContent || !strings.HasPrefix(h.Header.Get("HX-Redirect"), "/risks/") {
			t.Errorf("htmx create: %d %q", h.StatusCode, h.Header.Get("HX-Redirect"))
		}
		// htmx with invalid input gets the form partial at 422.
		hx.Set("title", "")
		h = c.send(http.MethodPost, "/risks", hx, map[string]string{"HX-Request": "true"})
		if h.StatusCode != http.StatusUnprocessableEntity || strings.Contains(h.Body, "<html") || !strings.Contains(h.Body, `id="risk-form"`) {
			t.Errorf("htmx invalid create: %d\n%.300s", h.StatusCode, h.Body)
		}

		// Another manager's engagement and the portfolio-wide register are refused.
		var theirs models.Engagement
		e.db.First(&theirs, *f.theirs.EngagementID)
		if r := c.post("/risks", riskPost(tok, theirs.Code)); r.StatusCode != http.StatusForbidden {
			t.Errorf("create on another's engagement: %d", r.StatusCode)
		}
		if r := c.post("/risks", riskPost(tok, "")); r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="error-engagement"]`).Length() != 1 {
			t.Errorf("manager leaving the engagement blank: %d, want 422 with the error beside it", r.StatusCode)
		}
		admin := e.client()
		admin.login(models.RoleAdmin)
		pw := riskPost(admin.token(), "")
		pw.Set("title", "Portfolio-wide concentration on one vendor")
		if r := admin.post("/risks", pw); r.StatusCode != http.StatusSeeOther {
			t.Errorf("admin creating a portfolio-wide risk: %d", r.StatusCode)
		}
		var pwr models.Risk
		e.db.Where("title = ?", "Portfolio-wide concentration on one vendor").First(&pwr)
		if pwr.EngagementID != nil || !strings.HasPrefix(pwr.Ref, "R-PF-") {
			t.Errorf("portfolio-wide risk stored as %+v", pwr)
		}
	})
}

// An edit stores the changed fields with their history, old → new, by column.
func TestRiskEdit(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		edit := c.get(fmt.Sprintf("/risks/%d/edit", f.mine.ID))
		if edit.StatusCode != http.StatusOK {
			t.Fatalf("edit form: %d", edit.StatusCode)
		}
		form := scrapeForm(t, edit, "#risk-form")
		if form.Get("title") != f.mine.Title || form.Get("version") != fmt.Sprint(f.mine.Version) {
			t.Fatalf("edit form not filled: %v", form)
		}
		form.Set("title", f.mine.Title+" (revised)")
		form.Set("residual_likelihood", "5")
		form.Set("residual_impact", "5")
		r := c.post(fmt.Sprintf("/risks/%d", f.mine.ID), form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.800s", r.StatusCode, r.Body)
		}
		got := storedRisk(t, e, f.mine.ID)
		if got.Title != f.mine.Title+" (revised)" || got.ResidualScore != 25 || got.Version != f.mine.Version+1 {
			t.Errorf("stored: %q %d v%d", got.Title, got.ResidualScore, got.Version)
		}
		chs := changesOf(t, e, "risk", f.mine.ID)
		if !hasChange(chs, "title", f.mine.Title, got.Title) || !hasChange(chs, "residual_score", fmt.Sprint(f.mine.ResidualScore), "25") {
			t.Errorf("edit history missing: %+v", chs[len(chs)-3:])
		}
		// The engagement's health follows: a Critical risk out of appetite makes it red.
		var eng models.Engagement
		e.db.First(&eng, *f.mine.EngagementID)
		if eng.Health != models.Red {
			t.Errorf("engagement health %s after a critical risk", eng.Health)
		}
		// The risk page shows the change in its history.
		doc := c.get(fmt.Sprintf("/risks/%d", f.mine.ID)).Doc(t)
		if !strings.Contains(doc.Find(`[data-testid="risk-history"] tr[data-field="title"]`).First().Text(), "(revised)") {
			t.Error("the risk page's history does not show the new title")
		}
		// Another manager's risk cannot be opened for editing or saved.
		if r := c.get(fmt.Sprintf("/risks/%d/edit", f.theirs.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("edit another's risk: %d", r.StatusCode)
		}
		form.Set("_csrf", c.token())
		if r := c.post(fmt.Sprintf("/risks/%d", f.theirs.ID), form); r.StatusCode != http.StatusForbidden {
			t.Errorf("save another's risk: %d", r.StatusCode)
		}
		// Moving a risk to an engagement the manager does not manage is refused too.
		var theirs models.Engagement
		e.db.First(&theirs, *f.theirs.EngagementID)
		mv := scrapeForm(t, c.get(fmt.Sprintf("/risks/%d/edit", f.mine.ID)), "#risk-form")
		mv.Set("engagement", theirs.Code)
		if r := c.post(fmt.Sprintf("/risks/%d", f.mine.ID), mv); r.StatusCode != http.StatusForbidden {
			t.Errorf("moving a risk to another's engagement: %d", r.StatusCode)
		}
		exec := e.client()
		exec.login(models.RoleExecutive)
		if r := exec.get(fmt.Sprintf("/risks/%d/edit", f.mine.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("executive edit form: %d", r.StatusCode)
		}
	})
}

// Two managers edit the same risk: the second save is a 409 that shows both
// versions, keeps the second manager's input, and loses nothing; saving again
// then replaces the stored values on purpose.
func TestRiskEditConflict(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		path := fmt.Sprintf("/risks/%d", f.mine.ID)
		first, second := e.client(), e.client()
		first.login(models.RoleManager)
		second.login(models.RoleAdmin)
		a := scrapeForm(t, first.get(path+"/edit"), "#risk-form")
		b := scrapeForm(t, second.get(path+"/edit"), "#risk-form")
		a.Set("title", "First manager's title")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", r.StatusCode)
		}
		b.Set("title", "Second manager's title")
		b.Set("mitigation", "Second manager's careful plan")
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", r.StatusCode)
		}
		doc := r.Doc(t)
		if v := doc.Find(`input[name="title"]`).AttrOr("value", ""); v != "Second manager's title" {
			t.Errorf("the second manager's input was not kept: %q", v)
		}
		if v := doc.Find(`textarea[name="mitigation"]`).Text(); v != "Second manager's careful plan" {
			t.Errorf("mitigation input lost: %q", v)
		}
		if cur := doc.Find(`[data-testid="conflict"]`).Text(); !strings.Contains(cur, "First manager's title") || !strings.Contains(cur, "Second manager's title") {
			t.Errorf("conflict does not show both versions: %q", cur)
		}
		if got := storedRisk(t, e, f.mine.ID); got.Title != "First manager's title" {
			t.Errorf("the stale save overwrote: %q", got.Title)
		}
		// The re-rendered form carries the current version: saving it again wins.
		again := scrapeForm(t, r, "#risk-form")
		if r := second.post(path, again); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("deliberate resave: %d", r.StatusCode)
		}
		if got := storedRisk(t, e, f.mine.ID); got.Title != "Second manager's title" || got.Mitigation != "Second manager's careful plan" {
			t.Errorf("after resave: %q %q", got.Title, got.Mitigation)
		}
		chs := changesOf(t, e, "risk", f.mine.ID)
		if !hasChange(chs, "title", f.mine.Title, "First manager's title") || !hasChange(chs, "title", "First manager's title", "Second manager's title") {
			t.Error("history lost one of the two saves")
		}
	})
}

// The score preview shows the scores and bands the chosen levels give.
func TestRiskScorePreview(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleManager)
	r := c.htmx("/risks/score-preview?inherent_likelihood=4&inherent_impact=5&residual_likelihood=5&residual_impact=5")
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "<html") {
		t.Fatalf("preview: %d", r.StatusCode)
	}
	doc := r.Doc(t)
	text := doc.Find(`[data-testid="score-preview"]`).Text()
	for _, want := range []string{"20 Critical", "25 Critical", "Out of appetite", "30 days"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q: %s", want, text)
		}
	}
	if doc.Find(`[data-testid="preview-warning"]`).Length() != 1 {
		t.Error("no warning for a residual above the inherent score")
	}
	low := c.htmx("/risks/score-preview?inherent_likelihood=2&inherent_impact=2&residual_likelihood=1&residual_impact=2").Doc(t)
	if low.Find(`[data-testid="preview-warning"]`).Length() != 0 || !strings.Contains(low.Text(), "2 Low") {
		t.Errorf("low preview: %s", low.Text())
	}
}

// A save from a form rendered before someone else's applies only the fields its
// user changed: two people editing different fields of one risk both keep
// their change, and the message names whose change it was merged with.
func TestRiskEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		path := fmt.Sprintf("/risks/%d", f.mine.ID)
		first, second := e.client(), e.client()
		first.login(models.RoleAdmin)
		second.login(models.RoleManager)
		a := scrapeForm(t, first.get(path+"/edit"), "#risk-form")
		b := scrapeForm(t, second.get(path+"/edit"), "#risk-form")
		a.Set("title", "Retitled in tab A")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d", r.StatusCode)
		}
		likelihood := "1"
		if b.Get("residual_likelihood") == "1" {
			likelihood = "2"
		}
		b.Set("residual_likelihood", likelihood)
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		got := storedRisk(t, e, f.mine.ID)
		if got.Title != "Retitled in tab A" || strconv.Itoa(got.ResidualLikelihood) != likelihood {
			t.Errorf("after both saves: title %q, residual likelihood %d: a change was lost", got.Title, got.ResidualLikelihood)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(path).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, "risk", f.mine.ID)
		if !hasChange(chs, "title", f.mine.Title, "Retitled in tab A") || !hasChange(chs, "residual_likelihood", strconv.Itoa(f.mine.ResidualLikelihood), likelihood) {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; the form then holds the stored risk with the
// user's changes, so saving it again keeps the other person's change to the
// fields the user left alone.
func TestRiskEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		path := fmt.Sprintf("/risks/%d", f.mine.ID)
		first, second := e.client(), e.client()
		first.login(models.RoleAdmin)
		second.login(models.RoleManager)
		a := scrapeForm(t, first.get(path+"/edit"), "#risk-form")
		b := scrapeForm(t, second.get(path+"/edit"), "#risk-form")
		a.Set("title", "A's title")
		a.Set("description", "A's description")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d", r.StatusCode)
		}
		b.Set("title", "B's title")
		b.Set("mitigation", "B's plan")
		before := rowText(t, e, "risks", f.mine.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "risks", f.mine.ID); after != before {
			t.Error("the 409 stored something")
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Title") || !strings.Contains(rows.Text(), "A's title") || !strings.Contains(rows.Text(), "B's title") {
			t.Errorf("the conflict lists %d rows: %q; want just the title, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`textarea[name="description"]`).Text(); v != "A's description" {
			t.Errorf("the 409 form does not hold A's description: %q", v)
		}
		if v := doc.Find(`input[name="title"]`).AttrOr("value", ""); v != "B's title" {
			t.Errorf("B's title not kept: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#risk-form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d", r.StatusCode)
		}
		got := storedRisk(t, e, f.mine.ID)
		if got.Title != "B's title" || got.Mitigation != "B's plan" || got.Description != "A's description" {
			t.Errorf("after saving from the 409 page: title %q, plan %q, description %q (A's description must stay)", got.Title, got.Mitigation, got.Description)
		}
	})
}
