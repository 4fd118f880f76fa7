package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/seed"
)

// engagementPost is a complete, valid engagement form.
func engagementPost(tok string, vendorID, managerID uint) url.Values {
	return url.Values{"_csrf": {tok}, "code": {"ITO-TEST-01"}, "name": {"Test service desk"}, "model": {models.ModelITO},
		"tower": {models.Towers[2]}, "phase": {"Transition"}, "vendor_id": {fmt.Sprint(vendorID)}, "business_unit": {"Group IT"},
		"delivery_location": {"Lisbon"}, "sponsor": {"CIO"}, "manager_id": {fmt.Sprint(managerID)}, "start_date": {"2026-01-01"},
		"contract_end": {"2029-12-31"}, "contract_value": {"12,500,000.50"}, "currency": {"EUR"}, "pricing_model": {"Managed service"},
		"vendor_headcount": {"40"}, "client_headcount": {"4"}, "description": {"Service desk for Europe"}}
}

func demoUser(t *testing.T, e *env, role string) models.User {
	t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			var u models.User
			if err := e.db.Where("email = ?", a.Email).First(&u).Error; err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no demo %s", role)
	return models.User{}
}

func changesOf(t *testing.T, e *env, entity string, id uint) []models.Change {
	t.Helper()
	var out []models.Change
	if err := e.db.Where("entity = ? AND entity_id = ?", entity, id).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func hasChange(chs []models.Change, field, old, new string) bool {
	for _, c := range chs {
		if c.Field == field && c.Old == old && c.New == new {
			return true
		}
	}
	return false
}

// An admin creates an engagement: the row, its managers and its history are
// stored; bad input answers 422 with the input kept; others may not.
func TestEngagementCreate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mgr := demoUser(t, e, models.RoleManager)
		var other models.User
		e.db.Where("role = ? AND id <> ?", models.RoleManager, mgr.ID).First(&other)
		var vendor models.Vendor
		e.db.Where("NOT archived").Order("id").First(&vendor)

		c := e.client()
		c.login(models.RoleAdmin)
		tok := c.csrf("/engagements/new")
		bad := engagementPost(tok, vendor.ID, mgr.ID)
		bad.Set("contract_value", "12.345")
		bad.Set("contract_end", "2025-01-01")
		bad.Set("planned_transfer", "2027-01-01")
		r := c.post("/engagements", bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		for _, f := range []string{"contract_value", "contract_end", "planned_transfer"} {
			if doc.Find(`[data-testid="error-`+f+`"]`).Length() == 0 {
				t.Errorf("no error beside %s", f)
			}
		}
		if v, _ := doc.Find(`input[name="name"]`).Attr("value"); v != "Test service desk" {
			t.Errorf("name not kept: %q", v)
		}
		if v, _ := doc.Find(`input[name="contract_value"]`).Attr("value"); v != "12.345" {
			t.Errorf("contract value not kept: %q", v)
		}

		good := engagementPost(tok, vendor.ID, mgr.ID)
		good["managers"] = []string{fmt.Sprint(other.ID)}
		r = c.post("/engagements", good)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		if err := e.db.Where("code = ?", "ITO-TEST-01").First(&got).Error; err != nil {
			t.Fatal(err)
		}
		if r.Header.Get("Location") != fmt.Sprintf("/engagements/%d", got.ID) {
			t.Errorf("redirect to %s", r.Header.Get("Location"))
		}
		if got.ContractValue != 1_250_000_050 || got.Currency != "EUR" || got.Phase != "Transition" || *got.ManagerID != mgr.ID || got.Version != 1 {
			t.Errorf("stored %+v", got)
		}
		var n int64
		e.db.Model(&models.EngagementManager{}).Where("engagement_id = ? AND user_id = ?", got.ID, other.ID).Count(&n)
		if n != 1 {
			t.Error("further manager not stored")
		}
		chs := changesOf(t, e, "engagement", got.ID)
		if !hasChange(chs, "contract_value", "", "12,500,000.50") || !hasChange(chs, "managers", "", other.Name) || chs[0].Action != "create" {
			t.Errorf("history %+v", chs)
		}

		// The code is unique.
		r = c.post("/engagements", good)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find(`[data-testid="error-code"]`).Text(), "ITO-TEST-01") {
			t.Errorf("duplicate code: %d", r.StatusCode)
		}

		// Managers and executives may not create engagements.
		m := e.client()
		m.login(models.RoleManager)
		if r := m.post("/engagements", engagementPost(m.csrf("/engagements"), vendor.ID, mgr.ID)); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager create: %d", r.StatusCode)
		}
		if r := m.get("/engagements/new"); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager form: %d", r.StatusCode)
		}
	})
}

// A BOT programme starts with the default transfer checklist.
func TestEngagementCreateBOTHasChecklist(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	mgr := demoUser(t, e, models.RoleManager)
	c := e.client()
	c.login(models.RoleAdmin)
	f := engagementPost(c.csrf("/engagements/new"), 1, mgr.ID)
	f.Set("model", models.ModelBOT)
	f.Set("phase", "Build")
	f.Set("planned_transfer", "2028-06-30")
	if r := c.post("/engagements", f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create BOT: %d\n%s", r.StatusCode, r.Body)
	}
	var got models.Engagement
	e.db.Where("code = ?", "ITO-TEST-01").First(&got)
	var items []models.ReadinessItem
	e.db.Where("engagement_id = ?", got.ID).Find(&items)
	total := 0
	for _, it := range items {
		total += it.Weight
	}
	if len(items) != len(models.ReadinessAreas) || total != 100 {
		t.Errorf("checklist: %d items, weight %d", len(items), total)
	}
}

// An admin edits an engagement: changes are stored with history; a stale form
// changing the sponsor again answers 409 with both values; the currency is
// fixed once costs exist.
func TestEngagementUpdate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var eng models.Engagement
		e.db.Where("closed_on IS NULL AND model = ?", models.ModelITO).Order("id").First(&eng)
		c := e.client()
		c.login(models.RoleAdmin)
		edit := fmt.Sprintf("/engagements/%d/edit", eng.ID)
		vals := scrapeForm(t, c.get(edit), "#engagement-form form")
		vals.Set("sponsor", "New sponsor")
		vals.Set("contract_value", "999.99")
		r := c.post(fmt.Sprintf("/engagements/%d", eng.ID), vals)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, eng.ID)
		if got.Sponsor != "New sponsor" || got.ContractValue != 99999 || got.Version != eng.Version+1 {
			t.Errorf("stored sponsor %q value %d version %d", got.Sponsor, got.ContractValue, got.Version)
		}
		chs := changesOf(t, e, "engagement", eng.ID)
		if !hasChange(chs, "sponsor", eng.Sponsor, "New sponsor") {
			t.Errorf("no history of the sponsor: %+v", chs)
		}

		// The same (now stale) form with the sponsor changed again: 409, the
		// user's input kept, the stored value shown.
		vals.Set("sponsor", "Another sponsor")
		r = c.post(fmt.Sprintf("/engagements/%d", eng.ID), vals)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale update: %d", r.StatusCode)
		}
		d := r.Doc(t)
		if v, _ := d.Find(`input[name="sponsor"]`).Attr("value"); v != "Another sponsor" {
			t.Errorf("input not kept on 409: %q", v)
		}
		if !strings.Contains(d.Find(`[data-testid="conflict"]`).Text(), "New sponsor") {
			t.Error("409 does not show the stored sponsor")
		}
		if v, _ := d.Find(`input[name="version"]`).Attr("value"); v != strconv.Itoa(got.Version) {
			t.Errorf("409 form carries version %s, want %d", v, got.Version)
		}
		e.db.First(&got, eng.ID)
		if got.Sponsor != "New sponsor" {
			t.Error("a stale form overwrote the record")
		}

		// The currency cannot change once cost records exist.
		vals = scrapeForm(t, c.get(edit), "#engagement-form form")
		vals.Set("currency", "JPY")
		r = c.post(fmt.Sprintf("/engagements/%d", eng.ID), vals)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc(t).Find(`[data-testid="error-currency"]`).Length() == 0 {
			t.Errorf("currency change with costs: %d", r.StatusCode)
		}
	})
}

// secondAdmin signs in another person with the admin role (a demo manager
// made an admin), for the forms only admins may save.
func secondAdmin(t *testing.T, e *env) (*client, models.User) {
	t.Helper()
	acct := seed.DemoAccounts[3]
	var u models.User
	if err := e.db.Where("email = ?", acct.Email).First(&u).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Model(&u).Update("role", models.RoleAdmin).Error; err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.loginAs(acct.Email, acct.Password)
	return c, u
}

// managerIDs are the further managers of an engagement, ascending.
func managerIDs(t *testing.T, e *env, id uint) []uint {
	t.Helper()
	var out []uint
	if err := e.db.Model(&models.EngagementManager{}).Where("engagement_id = ?", id).Order("user_id").Pluck("user_id", &out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// scrapeUnticked reads the form at sel as a browser would send it with every
// box named name unticked.
func scrapeUnticked(t *testing.T, r resp, sel, name string) url.Values {
	t.Helper()
	doc := r.Doc(t)
	doc.Find(`input[type="checkbox"][name="` + name + `"]`).RemoveAttr("checked")
	html, err := doc.Html()
	if err != nil {
		t.Fatal(err)
	}
	return scrapeForm(t, resp{r.Response, html}, sel)
}

// engagementEdit opens the form of an open engagement with further managers
// in two admins' sessions, and names a manager who is not one of them.
func engagementEdit(t *testing.T, e *env) (eng models.Engagement, a, b url.Values, first, second *client, extra uint) {
	t.Helper()
	if err := e.db.Where("closed_on IS NULL AND id IN (SELECT engagement_id FROM engagement_managers)").Order("id").First(&eng).Error; err != nil {
		t.Fatal(err)
	}
	var u models.User
	if err := e.db.Where("role = ? AND NOT disabled AND id NOT IN (SELECT user_id FROM engagement_managers WHERE engagement_id = ?)", models.RoleManager, eng.ID).
		Order("id").First(&u).Error; err != nil {
		t.Fatal(err)
	}
	first = e.client()
	first.login(models.RoleAdmin)
	second, _ = secondAdmin(t, e)
	edit := fmt.Sprintf("/engagements/%d/edit", eng.ID)
	a = scrapeForm(t, first.get(edit), "#engagement-form form")
	b = scrapeForm(t, second.get(edit), "#engagement-form form")
	return eng, a, b, first, second, u.ID
}

// untickManagers is the form of edit as a browser sends it with no further manager ticked.
func untickManagers(t *testing.T, c *client, eng models.Engagement) url.Values {
	t.Helper()
	return scrapeUnticked(t, c.get(fmt.Sprintf("/engagements/%d/edit", eng.ID)), "#engagement-form form", "managers")
}

// Two admins editing different fields of one engagement both keep their
// change, and the second is told whose change theirs was merged with. Taking
// every further manager off is a change too (the form sends a blank for it).
func TestEngagementEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		eng, a, _, first, second, _ := engagementEdit(t, e)
		path := fmt.Sprintf("/engagements/%d", eng.ID)
		b := untickManagers(t, second, eng)
		a.Set("sponsor", "A's sponsor")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("business_unit", "B's unit")
		b.Set("contract_value", strings.ReplaceAll(b.Get("contract_value"), ",", "")) // the same figure typed another way
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of other fields: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, eng.ID)
		if got.Sponsor != "A's sponsor" || got.BusinessUnit != "B's unit" || got.ContractValue != eng.ContractValue {
			t.Errorf("after both saves: sponsor %q, business unit %q, value %d: a change was lost", got.Sponsor, got.BusinessUnit, got.ContractValue)
		}
		if ms := managerIDs(t, e, eng.ID); len(ms) != 0 {
			t.Errorf("further managers %v, want none: B's unticking was lost", ms)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(path).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, "engagement", eng.ID)
		if !hasChange(chs, "sponsor", eng.Sponsor, "A's sponsor") || !hasChange(chs, "business_unit", eng.BusinessUnit, "B's unit") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone (here the managers).
func TestEngagementEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		eng, a, b, first, second, extra := engagementEdit(t, e)
		path := fmt.Sprintf("/engagements/%d", eng.ID)
		managers := managerIDs(t, e, eng.ID)
		a.Set("sponsor", "A's sponsor")
		a.Add("managers", fmt.Sprint(extra))
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("sponsor", "B's sponsor")
		b.Set("description", "B's description")
		before := rowText(t, e, "engagements", eng.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "engagements", eng.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Sponsor") || !strings.Contains(rows.Text(), "A's sponsor") || !strings.Contains(rows.Text(), "B's sponsor") {
			t.Errorf("the conflict lists %d rows: %q; want just the sponsor, with both values", rows.Length(), rows.Text())
		}
		if doc.Find(fmt.Sprintf(`input[name="managers"][value="%d"][checked]`, extra)).Length() != 1 {
			t.Error("the 409 form does not hold A's added manager")
		}
		if v := doc.Find(`input[name="sponsor"]`).AttrOr("value", ""); v != "B's sponsor" {
			t.Errorf("B's sponsor not kept: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#engagement-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Engagement
		e.db.First(&got, eng.ID)
		want := slices.Sorted(slices.Values(append(managers, extra)))
		if ms := managerIDs(t, e, eng.ID); got.Sponsor != "B's sponsor" || got.Description != "B's description" || !slices.Equal(ms, want) {
			t.Errorf("after saving from the 409 page: sponsor %q, description %q, managers %v (want %v: A's added manager must stay)", got.Sponsor, got.Description, ms, want)
		}
	})
}

// A 409 names the people of a manager field, not their ids.
func TestEngagementEditConflictNamesManagers(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		eng, _, b, first, second, extra := engagementEdit(t, e)
		path := fmt.Sprintf("/engagements/%d", eng.ID)
		var u models.User
		e.db.First(&u, extra)
		a := untickManagers(t, first, eng)
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Add("managers", fmt.Sprint(extra))
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's change of the managers A took off: %d, want 409", r.StatusCode)
		}
		rows := r.Doc(t).Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Further managers") || !strings.Contains(rows.Text(), u.Name) || !strings.Contains(rows.Text(), "none") {
			t.Errorf("the conflict lists %d rows: %q; want the further managers by name", rows.Length(), rows.Text())
		}
	})
}
