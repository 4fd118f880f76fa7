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

// managedBOT is a BOT programme the demo manager manages (with its checklist)
// and one they do not.
func managedBOT(t *testing.T, e *env) (mine, theirs models.Engagement) {
	t.Helper()
	mgr := demoUser(t, e, models.RoleManager)
	sub := "SELECT engagement_id FROM engagement_managers WHERE user_id = ?"
	if err := e.db.Where("model = ? AND (manager_id = ? OR id IN ("+sub+")) AND id IN (SELECT engagement_id FROM readiness_items)",
		models.ModelBOT, mgr.ID, mgr.ID).Order("id").First(&mine).Error; err != nil {
		t.Fatalf("the demo manager manages no BOT programme with a checklist: %v", err)
	}
	if err := e.db.Where("model = ? AND (manager_id IS NULL OR manager_id <> ?) AND id NOT IN ("+sub+") AND id IN (SELECT engagement_id FROM readiness_items)",
		models.ModelBOT, mgr.ID, mgr.ID).Order("id").First(&theirs).Error; err != nil {
		t.Fatal(err)
	}
	return
}

// itemForm is the inline form of one checklist item as the page renders it.
func itemForm(t *testing.T, c *client, engID, itemID uint) url.Values {
	t.Helper()
	return scrapeForm(t, c.get(fmt.Sprintf("/engagements/%d/readiness", engID)), fmt.Sprintf(`#rd-%d form`, itemID))
}

// A manager updates checklist items inline: the item and its history stored,
// the readiness % and the engagement's health follow; htmx gets the checklist
// partial with the new total; a bad evidence link 422 with input kept; a stale
// form changing the same field 409; another manager's checklist 403.
func TestReadinessItemUpdate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedBOT(t, e)
		items, _ := models.ListReadiness(t.Context(), e.db, mine.ID)
		before, _ := models.Readiness(items)
		var it models.ReadinessItem
		for _, x := range items {
			if x.Status != models.ReadinessDone {
				it = x
				break
			}
		}
		if it.ID == 0 {
			t.Fatal("every item is done")
		}
		c := e.client()
		c.login(models.RoleManager)
		f := itemForm(t, c, mine.ID, it.ID)
		f.Set("status", strconv.Itoa(models.ReadinessDone))
		f.Set("owner", "Ana Popescu")
		f.Set("evidence", "https://docs.example/transfer/signed-off.pdf")
		r := c.post(fmt.Sprintf("/readiness/%d", it.ID), f)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.ReadinessItem
		e.db.First(&got, it.ID)
		if got.Status != models.ReadinessDone || got.Owner != "Ana Popescu" || got.Version != it.Version+1 {
			t.Errorf("stored %+v", got)
		}
		if !hasChange(changesOf(t, e, models.EntityReadinessItem, it.ID), "status", models.ReadinessStatusLabel(it.Status), "Done") {
			t.Error("no status history")
		}
		items, _ = models.ListReadiness(t.Context(), e.db, mine.ID)
		after, _ := models.Readiness(items)
		gain := float64(it.Weight*(models.ReadinessDone-it.Status)) * 100 / float64(2*totalWeight(items))
		if fmt.Sprintf("%.3f", after-before) != fmt.Sprintf("%.3f", gain) {
			t.Errorf("readiness %.2f → %.2f, want a gain of %.2f", before, after, gain)
		}
		page := c.get(fmt.Sprintf("/engagements/%d", mine.ID)).Doc(t)
		if got := page.Find(`[data-testid="readiness-pct"]`).Text(); got != fmt.Sprintf("%.1f %%", after) {
			t.Errorf("engagement page readiness %q, want %.1f %%", got, after)
		}

		// A form rendered now and saved after the next change is stale (below).
		stale := itemForm(t, c, mine.ID, it.ID)

		// htmx: the checklist partial with the new total and a status line.
		f = itemForm(t, c, mine.ID, it.ID)
		f.Set("owner", "Ana Popescu, HR")
		r = hxPost(c, fmt.Sprintf("/readiness/%d", it.ID), f)
		if r.StatusCode != http.StatusOK || !isPartial(r, "readiness-checklist") || !strings.Contains(r.Body, `data-testid="readiness-saved"`) {
			t.Errorf("htmx save: %d partial=%v", r.StatusCode, isPartial(r, "readiness-checklist"))
		}

		// Invalid evidence: 422, input kept, nothing stored.
		f = itemForm(t, c, mine.ID, it.ID)
		f.Set("evidence", "javascript:alert(1)")
		f.Set("owner", "Someone new")
		r = c.post(fmt.Sprintf("/readiness/%d", it.ID), f)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad evidence: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		item := doc.Find(fmt.Sprintf(`#rd-%d`, it.ID))
		if item.Find(`[data-testid="error-evidence"]`).Length() == 0 {
			t.Error("no error beside the evidence link")
		}
		if v, _ := item.Find(`input[name="owner"]`).Attr("value"); v != "Someone new" {
			t.Errorf("owner not kept: %q", v)
		}
		e.db.First(&got, it.ID)
		if got.Owner != "Ana Popescu, HR" {
			t.Errorf("a refused save stored %q", got.Owner)
		}
		if r := hxPost(c, fmt.Sprintf("/readiness/%d", it.ID), f); r.StatusCode != http.StatusUnprocessableEntity || !isPartial(r, "readiness-checklist") {
			t.Errorf("htmx 422: %d", r.StatusCode)
		}

		// Stale: a form loaded before the last save, changing the owner that
		// save changed.
		stale.Set("owner", "Late editor")
		r = c.post(fmt.Sprintf("/readiness/%d", it.ID), stale)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		doc = r.Doc(t)
		if v, _ := doc.Find(fmt.Sprintf(`#rd-%d input[name="owner"]`, it.ID)).Attr("value"); v != "Late editor" {
			t.Errorf("stale form lost the input: %q", v)
		}
		if !strings.Contains(doc.Find(`[data-testid="conflict"]`).Text(), "Ana Popescu, HR") {
			t.Error("the conflict does not show the stored owner")
		}

		// Another manager's checklist: 403, nothing stored.
		var other models.ReadinessItem
		e.db.Where("engagement_id = ?", theirs.ID).First(&other)
		f.Set("evidence", "")
		f.Set("version", strconv.Itoa(other.Version))
		if r := c.post(fmt.Sprintf("/readiness/%d", other.ID), f); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's item: %d", r.StatusCode)
		}
		var o2 models.ReadinessItem
		e.db.First(&o2, other.ID)
		if o2.Version != other.Version || o2.Owner != other.Owner {
			t.Error("a refused save stored a change")
		}
		// Executives read the checklist without forms.
		x := e.client()
		x.login(models.RoleExecutive)
		if doc := x.get(fmt.Sprintf("/engagements/%d/readiness", mine.ID)).Doc(t); doc.Find(`[data-testid="readiness-item"] form`).Length() != 0 {
			t.Error("an executive sees edit forms")
		}
	})
}

func totalWeight(items []models.ReadinessItem) int {
	n := 0
	for _, it := range items {
		n += it.Weight
	}
	return n
}

// A BOT programme without a checklist gets the default one (eight areas
// weighted to 100) from its page; an ITO engagement has none to create.
func TestReadinessDefaultChecklist(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedBOT(t, e)
		mgr := demoUser(t, e, models.RoleManager)
		fresh := models.Engagement{Code: "BOT-NEW-01", Name: "New centre", Model: models.ModelBOT, Tower: models.Towers[1], VendorID: mine.VendorID,
			ManagerID: &mgr.ID, Phase: "Build", Currency: "EUR", Health: models.Green, Version: 1, PlannedTransfer: models.DateOf(e.now).AddDays(30)}
		if err := e.db.Create(&fresh).Error; err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(models.RoleManager)
		doc := c.get(fmt.Sprintf("/engagements/%d", fresh.ID)).Doc(t)
		if doc.Find(`[data-testid="readiness"] [data-testid="create-checklist"]`).Length() == 0 {
			t.Fatal("no button to create the checklist on the engagement page")
		}
		tok := c.csrf(fmt.Sprintf("/engagements/%d", fresh.ID))
		r := c.post(fmt.Sprintf("/engagements/%d/readiness", fresh.ID), url.Values{"_csrf": {tok}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", r.StatusCode)
		}
		items, _ := models.ListReadiness(t.Context(), e.db, fresh.ID)
		if len(items) != len(models.ReadinessAreas) || totalWeight(items) != 100 {
			t.Fatalf("%d items weighing %d", len(items), totalWeight(items))
		}
		if len(changesOf(t, e, models.EntityReadinessItem, items[0].ID)) == 0 {
			t.Error("no history for the created items")
		}
		var eng models.Engagement
		e.db.First(&eng, fresh.ID)
		if eng.Health != models.Red || !strings.Contains(eng.HealthReasons, "readiness 0 %") {
			t.Errorf("health %s (%s): a transfer in 30 days at 0 %% is red", eng.Health, eng.HealthReasons)
		}
		// A second post creates nothing more.
		c.post(fmt.Sprintf("/engagements/%d/readiness", fresh.ID), url.Values{"_csrf": {tok}})
		if again, _ := models.ListReadiness(t.Context(), e.db, fresh.ID); len(again) != len(items) {
			t.Errorf("a second create made %d items", len(again))
		}
		ito, _ := managedEngagements(t, e)
		if ito.IsBOT() {
			t.Skip("the first managed engagement is BOT")
		}
		if r := c.get(fmt.Sprintf("/engagements/%d/readiness", ito.ID)); r.StatusCode != http.StatusNotFound {
			t.Errorf("ITO readiness page: %d", r.StatusCode)
		}
	})
}

// Gate decisions: recorded with history; a conditional go needs its conditions
// (422, input kept); a stale correction 409; another manager's programme 403.
func TestGateForms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, theirs := managedBOT(t, e)
		c := e.client()
		c.login(models.RoleManager)
		today := models.DateOf(e.now)
		tok := c.csrf(fmt.Sprintf("/engagements/%d/gates/new", mine.ID))
		bad := url.Values{"_csrf": {tok}, "decision": {"conditional"}, "decided_on": {today.String()}, "decided_by": {"Transfer board"}}
		r := c.post(fmt.Sprintf("/engagements/%d/gates", mine.ID), bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("conditional without conditions: %d", r.StatusCode)
		}
		if doc := r.Doc(t); doc.Find(`[data-testid="error-conditions"]`).Length() == 0 {
			t.Error("no error beside the conditions")
		} else if v, _ := doc.Find(`input[name="decided_by"]`).Attr("value"); v != "Transfer board" {
			t.Errorf("input not kept: %q", v)
		}
		good := url.Values{"_csrf": {tok}, "decision": {"conditional"}, "decided_on": {today.String()}, "decided_by": {"Transfer board"},
			"conditions": {"UAT signed off by 1 December"}}
		if r := c.post(fmt.Sprintf("/engagements/%d/gates", mine.ID), good); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var g models.TransferGate
		e.db.Where("engagement_id = ?", mine.ID).Order("id DESC").First(&g)
		if g.Conditions != "UAT signed off by 1 December" || g.Version != 1 || !hasChange(changesOf(t, e, models.EntityTransferGate, g.ID), "decision", "", "conditional") {
			t.Errorf("stored %+v", g)
		}
		edit := scrapeForm(t, c.get(fmt.Sprintf("/gates/%d/edit", g.ID)), `#gate-form form`)
		edit.Set("decision", "go")
		if r := c.post(fmt.Sprintf("/gates/%d", g.ID), edit); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", r.StatusCode)
		}
		if !hasChange(changesOf(t, e, models.EntityTransferGate, g.ID), "decision", "conditional", "go") {
			t.Error("no correction history")
		}
		edit.Set("decision", "no-go")
		if r := c.post(fmt.Sprintf("/gates/%d", g.ID), edit); r.StatusCode != http.StatusConflict {
			t.Errorf("stale: %d", r.StatusCode)
		}
		if r := c.post(fmt.Sprintf("/engagements/%d/gates", theirs.ID), good); r.StatusCode != http.StatusForbidden {
			t.Errorf("another manager's programme: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.TransferGate{}).Where("engagement_id = ? AND conditions = ?", theirs.ID, good.Get("conditions")).Count(&n)
		if n != 0 {
			t.Error("a refused gate was stored")
		}
	})
}

// readinessEdit opens one checklist item of a BOT programme the demo manager
// manages in two sessions, an admin's and the manager's.
func readinessEdit(t *testing.T, e *env) (mine models.Engagement, it models.ReadinessItem, a, b url.Values, first, second *client, path string) {
	t.Helper()
	mine, _ = managedBOT(t, e)
	if err := e.db.Where("engagement_id = ?", mine.ID).Order("id").First(&it).Error; err != nil {
		t.Fatal(err)
	}
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	return mine, it, itemForm(t, first, mine.ID, it.ID), itemForm(t, second, mine.ID, it.ID), first, second, fmt.Sprintf("/readiness/%d", it.ID)
}

// Two people editing different fields of one checklist item both keep their
// change, and the second is told whose change theirs was merged with (in the
// flash, or in the status line for htmx).
func TestReadinessEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, it, a, b, first, second, path := readinessEdit(t, e)
		a.Set("owner", "A's owner")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("evidence", "https://docs.example/b")
		htmxToo := itemForm(t, first, mine.ID, it.ID) // A's form of the item, rendered again before B saves
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.ReadinessItem
		e.db.First(&got, it.ID)
		if got.Owner != "A's owner" || got.Evidence != "https://docs.example/b" {
			t.Errorf("after both saves: owner %q, evidence %q: a change was lost", got.Owner, got.Evidence)
		}
		manager, admin := demoUser(t, e, models.RoleManager), demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.EntityReadinessItem, it.ID)
		if !hasChange(chs, "owner", it.Owner, "A's owner") || !hasChange(chs, "evidence", it.Evidence, "https://docs.example/b") {
			t.Error("the history lacks one of the two changes")
		}
		htmxToo.Set("weight", strconv.Itoa(got.Weight+1))
		r = hxPost(first, path, htmxToo)
		if saved := r.Doc(t).Find(`[data-testid="readiness-saved"]`).Text(); r.StatusCode != http.StatusOK || !strings.Contains(saved, "merged with a change by "+manager.Name) {
			t.Errorf("htmx merge: %d, status line %q", r.StatusCode, saved)
		}
		if e.db.First(&got, it.ID); got.Weight != it.Weight+1 || got.Evidence != "https://docs.example/b" {
			t.Errorf("after the htmx merge: weight %d, evidence %q", got.Weight, got.Evidence)
		}
	})
}

// Where both changed the same field, 409 lists just that field (statuses by
// name) with both values and stores nothing; saving from the 409 page keeps
// the other person's change to the fields the user left alone.
func TestReadinessEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		_, it, a, b, first, second, path := readinessEdit(t, e)
		theirs, yours := (it.Status+1)%3, (it.Status+2)%3
		a.Set("status", strconv.Itoa(theirs))
		a.Set("owner", "A's owner")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("status", strconv.Itoa(yours))
		b.Set("evidence", "https://docs.example/b")
		before := rowText(t, e, "readiness_items", it.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "readiness_items", it.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Status") || !strings.Contains(rows.Text(), models.ReadinessStatusLabel(theirs)) ||
			!strings.Contains(rows.Text(), models.ReadinessStatusLabel(yours)) {
			t.Errorf("the conflict lists %d rows: %q; want just the status, with both values by name", rows.Length(), rows.Text())
		}
		if v := doc.Find(fmt.Sprintf(`#rd-%d input[name="owner"]`, it.ID)).AttrOr("value", ""); v != "A's owner" {
			t.Errorf("the 409 form does not hold A's owner: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, fmt.Sprintf(`#rd-%d form`, it.ID))); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.ReadinessItem
		e.db.First(&got, it.ID)
		if got.Status != yours || got.Evidence != "https://docs.example/b" || got.Owner != "A's owner" {
			t.Errorf("after saving from the 409 page: status %d, evidence %q, owner %q (A's owner must stay)", got.Status, got.Evidence, got.Owner)
		}
	})
}

// gateEdit records a conditional go on a BOT programme the demo manager
// manages and opens its correction form in two sessions, an admin's and the
// manager's.
func gateEdit(t *testing.T, e *env) (g models.TransferGate, a, b url.Values, first, second *client, path string) {
	t.Helper()
	mine, _ := managedBOT(t, e)
	first, second = e.client(), e.client()
	first.login(models.RoleAdmin)
	second.login(models.RoleManager)
	good := url.Values{"_csrf": {second.csrf(fmt.Sprintf("/engagements/%d/gates/new", mine.ID))}, "decision": {"conditional"},
		"decided_on": {today().String()}, "decided_by": {"Transfer board"}, "conditions": {"UAT signed off"}}
	if r := second.post(fmt.Sprintf("/engagements/%d/gates", mine.ID), good); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record a gate: %d", r.StatusCode)
	}
	if err := e.db.Where("engagement_id = ?", mine.ID).Order("id DESC").First(&g).Error; err != nil {
		t.Fatal(err)
	}
	path = fmt.Sprintf("/gates/%d", g.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#gate-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#gate-form form")
	return g, a, b, first, second, path
}

// Two people correcting different fields of one gate decision both keep their
// change, and the second is told whose change theirs was merged with.
func TestGateEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		g, a, b, first, second, path := gateEdit(t, e)
		a.Set("decided_by", "A's board")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("conditions", "B's conditions")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of another field: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.TransferGate
		e.db.First(&got, g.ID)
		if got.DecidedBy != "A's board" || got.Conditions != "B's conditions" {
			t.Errorf("after both saves: decided by %q, conditions %q: a change was lost", got.DecidedBy, got.Conditions)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(r.Header.Get("Location")).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, models.EntityTransferGate, g.ID)
		if !hasChange(chs, "decided_by", g.DecidedBy, "A's board") || !hasChange(chs, "conditions", g.Conditions, "B's conditions") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestGateEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		g, a, b, first, second, path := gateEdit(t, e)
		a.Set("decision", "no-go")
		a.Set("decided_by", "A's board")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("decision", "go")
		b.Set("conditions", "B's conditions")
		before := rowText(t, e, "transfer_gates", g.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "transfer_gates", g.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Decision") || !strings.Contains(rows.Text(), "no-go") || !strings.Contains(rows.Text(), "go") {
			t.Errorf("the conflict lists %d rows: %q; want just the decision, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="decided_by"]`).AttrOr("value", ""); v != "A's board" {
			t.Errorf("the 409 form does not hold A's decided by: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#gate-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.TransferGate
		e.db.First(&got, g.ID)
		if got.Decision != "go" || got.Conditions != "B's conditions" || got.DecidedBy != "A's board" {
			t.Errorf("after saving from the 409 page: decision %q, conditions %q, decided by %q (A's decided by must stay)", got.Decision, got.Conditions, got.DecidedBy)
		}
	})
}
