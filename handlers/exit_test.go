package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
)

// managedITO is an ITO contract the demo manager manages (with its exit
// checklist) and one they do not.
func managedITO(t *testing.T, e *env) (mine, theirs models.Engagement) {
	t.Helper()
	mgr := demoUser(t, e, models.RoleManager)
	sub := "SELECT engagement_id FROM engagement_managers WHERE user_id = ?"
	has := "id IN (SELECT engagement_id FROM exit_readiness_items)"
	if err := e.db.Where("model = ? AND (manager_id = ? OR id IN ("+sub+")) AND "+has, models.ModelITO, mgr.ID, mgr.ID).
		Order("id").First(&mine).Error; err != nil {
		t.Fatalf("the demo manager manages no ITO contract with an exit checklist: %v", err)
	}
	if err := e.db.Where("model = ? AND (manager_id IS NULL OR manager_id <> ?) AND id NOT IN ("+sub+") AND "+has, models.ModelITO, mgr.ID, mgr.ID).
		Order("id").First(&theirs).Error; err != nil {
		t.Fatal(err)
	}
	return
}

// exitForm is the inline form of one exit item as the page renders it.
func exitForm(t *testing.T, c *client, engID, itemID uint) url.Values {
	t.Helper()
	return scrapeForm(t, c.get(fmt.Sprintf("/engagements/%d/exit", engID)), fmt.Sprintf(`#ex-%d form`, itemID))
}

// A manager keeps an ITO contract's exit checklist: an item saved with its
// history, the exit readiness % following on the engagement page, the
// contracts list and the vendor's page; htmx gets the checklist partial; a
// bad evidence link is 422 with the input kept; two tabs changing different
// fields both keep their change; the same field changed in both is 409 with
// the input kept and the stored value shown; another manager's checklist is
// 403 and an executive reads it without forms.
func TestExitChecklistUpdate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedITO(t, e)
		items, _ := models.ListExitItems(t.Context(), e.db, mine.ID)
		var it models.ExitItem
		for _, x := range items {
			if x.Status == models.ReadinessNotStarted && x.Weight == 20 {
				it = x // data return tested: the demo's running contracts have only their exit plan agreed
				break
			}
		}
		if it.ID == 0 {
			t.Fatalf("no 20-weight area not started on %s: %+v", mine.Code, items)
		}
		before, _ := models.ExitReadiness(items)
		c := e.client()
		c.login(models.RoleManager)
		f := exitForm(t, c, mine.ID, it.ID)
		f.Set("status", strconv.Itoa(models.ReadinessDone))
		f.Set("owner", "Kavya Iyer")
		f.Set("evidence", "https://docs.example/exit/data-return-test.pdf")
		if r := c.post(fmt.Sprintf("/exit/%d", it.ID), f); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.ExitItem
		e.db.First(&got, it.ID)
		if got.Status != models.ReadinessDone || got.Owner != "Kavya Iyer" || got.Version != it.Version+1 {
			t.Errorf("stored %+v", got)
		}
		if !hasChange(changesOf(t, e, models.EntityExitItem, it.ID), "status", "Not started", "Done") {
			t.Error("no status history")
		}
		items, _ = models.ListExitItems(t.Context(), e.db, mine.ID)
		after, _ := models.ExitReadiness(items)
		if after != before+20 { // a weight of 20 done adds 20 points (the weights sum to 100)
			t.Errorf("exit readiness %.1f → %.1f, want +20", before, after)
		}
		want := fmt.Sprintf("%.1f %%", after)
		page := c.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t)
		if got := page.Find(`[data-testid="exit-readiness"] [data-testid="exit-pct"]`).Text(); got != want {
			t.Errorf("engagement page exit readiness %q, want %s", got, want)
		}
		var row string
		c.get("/contracts?days=730").Doc(t).Find(`[data-testid="notices-table"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Text(), mine.Code) {
				row = s.Find(`[data-testid="exit-pct"]`).Text()
			}
		})
		if row != want {
			t.Errorf("the contracts list shows %s's exit readiness as %q, want %s", mine.Code, row, want)
		}
		exported := ""
		for _, r := range readCSV(t, c.get("/contracts/export?days=730&format=csv").Body) {
			if r[0] == mine.Code {
				exported = r[len(r)-1]
			}
		}
		if exported != fmt.Sprintf("%.1f", after) {
			t.Errorf("the contracts export gives %s's exit readiness as %q, want %.1f", mine.Code, exported, after)
		}
		if !strings.Contains(c.get(fmt.Sprintf("/vendors/%d", mine.VendorID)).Body, want) {
			t.Errorf("the vendor's page lacks %s's exit readiness %s", mine.Code, want)
		}

		// htmx: the checklist partial with the new total and a status line.
		f = exitForm(t, c, mine.ID, it.ID)
		f.Set("owner", "Kavya Iyer, data office")
		r := hxPost(c, fmt.Sprintf("/exit/%d", it.ID), f)
		if r.StatusCode != http.StatusOK || !isPartial(r, "exit-checklist") || !strings.Contains(r.Body, `data-testid="exit-saved"`) ||
			!strings.Contains(r.Body, want) {
			t.Errorf("htmx save: %d partial=%v", r.StatusCode, isPartial(r, "exit-checklist"))
		}

		// Invalid evidence: 422, input kept, nothing stored.
		f = exitForm(t, c, mine.ID, it.ID)
		f.Set("evidence", "javascript:alert(1)")
		f.Set("owner", "Someone new")
		r = c.post(fmt.Sprintf("/exit/%d", it.ID), f)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad evidence: %d", r.StatusCode)
		}
		item := r.Doc(t).Find(fmt.Sprintf(`#ex-%d`, it.ID))
		if item.Find(`[data-testid="error-evidence"]`).Length() == 0 {
			t.Error("no error beside the evidence link")
		}
		if v, _ := item.Find(`input[name="owner"]`).Attr("value"); v != "Someone new" {
			t.Errorf("owner not kept: %q", v)
		}
		if v, _ := item.Find(`input[name="evidence"]`).Attr("value"); v != "javascript:alert(1)" {
			t.Errorf("evidence not kept: %q", v)
		}
		e.db.First(&got, it.ID)
		if got.Owner != "Kavya Iyer, data office" {
			t.Errorf("a refused save stored %q", got.Owner)
		}

		// Two tabs: the admin changes the owner, the manager's older form the
		// status; both are kept.
		admin := e.client()
		admin.login(models.RoleAdmin)
		theirsForm := exitForm(t, admin, mine.ID, it.ID)
		stale := exitForm(t, c, mine.ID, it.ID)
		theirsForm.Set("owner", "Exit lead")
		if r := admin.post(fmt.Sprintf("/exit/%d", it.ID), theirsForm); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's save: %d", r.StatusCode)
		}
		stale.Set("status", strconv.Itoa(models.ReadinessInProgress))
		if r := c.post(fmt.Sprintf("/exit/%d", it.ID), stale); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stale save of another field: %d\n%s", r.StatusCode, r.Body)
		}
		e.db.First(&got, it.ID)
		if got.Owner != "Exit lead" || got.Status != models.ReadinessInProgress {
			t.Errorf("after the merge: %+v", got)
		}

		// The same field in both: 409, the input kept, the stored value shown.
		stale = exitForm(t, c, mine.ID, it.ID)
		theirsForm = exitForm(t, admin, mine.ID, it.ID)
		theirsForm.Set("owner", "Exit steering committee")
		if r := admin.post(fmt.Sprintf("/exit/%d", it.ID), theirsForm); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the admin's second save: %d", r.StatusCode)
		}
		stale.Set("owner", "Late editor")
		r = c.post(fmt.Sprintf("/exit/%d", it.ID), stale)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale same field: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if v, _ := doc.Find(fmt.Sprintf(`#ex-%d input[name="owner"]`, it.ID)).Attr("value"); v != "Late editor" {
			t.Errorf("the 409 lost the input: %q", v)
		}
		if !strings.Contains(doc.Find(`[data-testid="conflict"]`).Text(), "Exit steering committee") {
			t.Error("the conflict does not show the stored owner")
		}
		e.db.First(&got, it.ID)
		if got.Owner != "Exit steering committee" {
			t.Errorf("a 409 stored %q", got.Owner)
		}

		// Another manager's checklist: 403, nothing stored.
		var other models.ExitItem
		e.db.Where("engagement_id = ?", theirs.ID).Order("id").First(&other)
		f.Set("evidence", "")
		f.Set("version", strconv.Itoa(other.Version))
		if r := c.post(fmt.Sprintf("/exit/%d", other.ID), f); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's item: %d", r.StatusCode)
		}
		var o2 models.ExitItem
		e.db.First(&o2, other.ID)
		if o2.Version != other.Version || o2.Owner != other.Owner {
			t.Error("a refused save stored a change")
		}
		// Executives read the checklist without forms, and cannot post to it.
		x := e.client()
		x.login(models.RoleExecutive)
		doc = x.get(fmt.Sprintf("/engagements/%d/exit", mine.ID)).Doc(t)
		if doc.Find(`[data-testid="exit-item"]`).Length() != 6 || doc.Find(`[data-testid="exit-item"] form`).Length() != 0 {
			t.Error("an executive does not see the six areas, or sees edit forms")
		}
		tok := x.csrf(fmt.Sprintf("/engagements/%d/exit", mine.ID))
		f.Set("_csrf", tok)
		if r := x.post(fmt.Sprintf("/exit/%d", it.ID), f); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive's save: %d", r.StatusCode)
		}
	})
}

// An ITO contract without an exit checklist gets the default one (six areas
// weighted to 100, each in the history) from its page, once; a BOT
// programme has no exit checklist: its page and a create answer 404 saying
// where its transfer checklist is, and nothing is stored.
func TestExitChecklistCreate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedITO(t, e)
		mgr := demoUser(t, e, models.RoleManager)
		fresh := models.Engagement{Code: "ITO-NEW-01", Name: "New contract", Model: models.ModelITO, Tower: models.Towers[0], VendorID: mine.VendorID,
			ManagerID: &mgr.ID, Phase: "Transition", Currency: "EUR", Health: models.Green, Version: 1}
		if err := e.db.Create(&fresh).Error; err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(models.RoleManager)
		doc := c.get(fmt.Sprintf("/engagements/%d", fresh.ID)).Doc(t)
		if doc.Find(`[data-testid="exit-readiness"] [data-testid="create-exit-checklist"]`).Length() == 0 {
			t.Fatal("no button to create the exit checklist on the engagement page")
		}
		tok := c.csrf(fmt.Sprintf("/engagements/%d", fresh.ID))
		if r := c.post(fmt.Sprintf("/engagements/%d/exit", fresh.ID), url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", r.StatusCode)
		}
		items, _ := models.ListExitItems(t.Context(), e.db, fresh.ID)
		weight := 0
		for _, it := range items {
			weight += it.Weight
		}
		if len(items) != 6 || weight != 100 || items[0].Area != "Exit plan agreed" {
			t.Fatalf("%d items weighing %d: %+v", len(items), weight, items)
		}
		if len(changesOf(t, e, models.EntityExitItem, items[0].ID)) == 0 {
			t.Error("no history for the created items")
		}
		page := c.get(fmt.Sprintf("/engagements/%d/exit", fresh.ID))
		if !strings.Contains(page.Doc(t).Find(`[data-testid="exit-total"]`).Text(), "0.0 %") {
			t.Error("a new checklist does not read 0.0 %")
		}
		// Again: nothing more is created.
		if r := c.post(fmt.Sprintf("/engagements/%d/exit", fresh.ID), url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create again: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.ExitItem{}).Where("engagement_id = ?", fresh.ID).Count(&n)
		if n != 6 {
			t.Errorf("%d items after a second create", n)
		}

		var bot models.Engagement
		e.db.Where("model = ?", models.ModelBOT).Order("id").First(&bot)
		admin := e.client()
		admin.login(models.RoleAdmin)
		r := admin.get(fmt.Sprintf("/engagements/%d/exit", bot.ID))
		if r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "only ITO contracts have an exit checklist") ||
			!strings.Contains(r.Body, "transfer checklist") {
			t.Errorf("a BOT programme's exit page: %d", r.StatusCode)
		}
		atok := admin.csrf("/")
		if r := admin.post(fmt.Sprintf("/engagements/%d/exit", bot.ID), url.Values{"_csrf": {atok}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("an exit checklist for a BOT programme: %d", r.StatusCode)
		}
		e.db.Model(&models.ExitItem{}).Where("engagement_id = ?", bot.ID).Count(&n)
		if n != 0 {
			t.Errorf("%d exit items on a BOT programme", n)
		}
	})
}
