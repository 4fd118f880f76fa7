package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

func vendorPost(tok string) url.Values {
	return url.Values{"_csrf": {tok}, "name": {"Acme Delivery"}, "country": {"Portugal"}, "delivery_locations": {"Lisbon, Porto"},
		"tier": {"2"}, "expertise": {"5"}, "track_record": {"4"}, "financial_stability": {"3"}, "cultural_fit": {"4"},
		"security_posture": {"2"}, "references_checked": {"1"}, "notes": {"Shortlisted in 2026"}}
}

// An admin creates a vendor with its scorecard: stored with history, the weighted
// score on its page (5·25 + 4·25 + 3·20 + 4·15 + 2·15 = 375 → 3.75).
func TestVendorCreate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleAdmin)
		tok := c.csrf("/vendors/new")
		bad := vendorPost(tok)
		bad.Set("expertise", "6")
		bad.Set("name", "")
		r := c.post("/vendors", bad)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if doc.Find(`[data-testid="error-expertise"]`).Length() == 0 || doc.Find(`[data-testid="error-name"]`).Length() == 0 {
			t.Error("errors not beside the fields")
		}
		if v, _ := doc.Find(`input[name="country"]`).Attr("value"); v != "Portugal" {
			t.Errorf("country not kept: %q", v)
		}
		r = c.post("/vendors", vendorPost(tok))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
		}
		var v models.Vendor
		if err := e.db.Where("name = ?", "Acme Delivery").First(&v).Error; err != nil {
			t.Fatal(err)
		}
		if v.Expertise != 5 || v.SecurityPosture != 2 || !v.ReferencesChecked || v.Version != 1 {
			t.Errorf("stored %+v", v)
		}
		if !hasChange(changesOf(t, e, "vendor", v.ID), "expertise", "", "5") {
			t.Error("no history")
		}
		if got := c.get(r.Header.Get("Location")).Doc(t).Find(`[data-testid="weighted-score"]`).Text(); got != "3.75" {
			t.Errorf("weighted score %q", got)
		}
		// Names are unique, whatever the case.
		dup := vendorPost(tok)
		dup.Set("name", "ACME delivery")
		if r := c.post("/vendors", dup); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("duplicate name: %d", r.StatusCode)
		}
		m := e.client()
		m.login(models.RoleManager)
		if r := m.post("/vendors", vendorPost(m.csrf("/vendors"))); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager: %d", r.StatusCode)
		}
	})
}

// Editing a vendor stores the change with history; a stale form changing the
// same score again answers 409, its input kept.
func TestVendorUpdate(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var v models.Vendor
		e.db.Order("id").First(&v)
		c := e.client()
		c.login(models.RoleAdmin)
		edit := fmt.Sprintf("/vendors/%d/edit", v.ID)
		first := scrapeForm(t, c.get(edit), "#vendor-form form")
		stale := scrapeForm(t, c.get(edit), "#vendor-form form")
		fit, other := otherScores(v.CulturalFit)
		first.Set("cultural_fit", fit)
		if r := c.post(fmt.Sprintf("/vendors/%d", v.ID), first); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Vendor
		e.db.First(&got, v.ID)
		if fmt.Sprint(got.CulturalFit) != fit || got.Version != v.Version+1 {
			t.Errorf("stored %+v", got)
		}
		if !hasChange(changesOf(t, e, "vendor", v.ID), "cultural_fit", fmt.Sprint(v.CulturalFit), fit) {
			t.Error("no history")
		}
		stale.Set("cultural_fit", other)
		stale.Set("notes", "my notes")
		r := c.post(fmt.Sprintf("/vendors/%d", v.ID), stale)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		if d := r.Doc(t); d.Find(`textarea[name="notes"]`).Text() != "my notes" || d.Find(`[data-testid="conflict"]`).Length() == 0 {
			t.Error("409 lost the input or shows no conflict")
		}
		e.db.First(&got, v.ID)
		if fmt.Sprint(got.CulturalFit) != fit || got.Notes != v.Notes {
			t.Error("a stale form overwrote the record")
		}
	})
}

// otherScores are two scores other than s and each other.
func otherScores(s int) (string, string) {
	var out []string
	for i := 1; i <= 5 && len(out) < 2; i++ {
		if i != s {
			out = append(out, fmt.Sprint(i))
		}
	}
	return out[0], out[1]
}

// vendorEdit opens a vendor's form in two admins' sessions.
func vendorEdit(t *testing.T, e *env) (v models.Vendor, a, b url.Values, first, second *client, path string) {
	t.Helper()
	if err := e.db.Where("NOT archived").Order("id").First(&v).Error; err != nil {
		t.Fatal(err)
	}
	first = e.client()
	first.login(models.RoleAdmin)
	second, _ = secondAdmin(t, e)
	path = fmt.Sprintf("/vendors/%d", v.ID)
	a = scrapeForm(t, first.get(path+"/edit"), "#vendor-form form")
	b = scrapeForm(t, second.get(path+"/edit"), "#vendor-form form")
	return v, a, b, first, second, path
}

// Two admins editing different fields of one vendor both keep their change,
// and the second is told whose change theirs was merged with. Unticking
// "references checked" is a change too (the form sends a hidden "0").
func TestVendorEditMergesDifferentFields(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		v, _, _, first, second, path := vendorEdit(t, e)
		if err := e.db.Model(&v).Update("references_checked", true).Error; err != nil {
			t.Fatal(err)
		}
		// Both rendered with the box ticked; B unticks it.
		a := scrapeForm(t, first.get(path+"/edit"), "#vendor-form form")
		b := scrapeUnticked(t, second.get(path+"/edit"), "#vendor-form form", "references_checked")
		a.Set("country", "A's country")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("notes", "B's notes")
		r := second.post(path, b)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("B's save of other fields: %d, want a merge and 303\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Vendor
		e.db.First(&got, v.ID)
		if got.Country != "A's country" || got.Notes != "B's notes" || got.ReferencesChecked {
			t.Errorf("after both saves: country %q, notes %q, references checked %v: a change was lost", got.Country, got.Notes, got.ReferencesChecked)
		}
		admin := demoUser(t, e, models.RoleAdmin)
		if flash := second.get(path).Doc(t).Find("#flash").Text(); !strings.Contains(flash, "merged with a change by "+admin.Name) {
			t.Errorf("the message does not say whose change it merged with: %q", flash)
		}
		chs := changesOf(t, e, "vendor", v.ID)
		if !hasChange(chs, "country", v.Country, "A's country") || !hasChange(chs, "notes", v.Notes, "B's notes") {
			t.Error("the history lacks one of the two changes")
		}
	})
}

// Where both changed the same field, 409 lists just that field with both
// values and stores nothing; saving from the 409 page keeps the other
// person's change to the fields the user left alone.
func TestVendorEditConflictKeepsTheOtherChange(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		v, a, b, first, second, path := vendorEdit(t, e)
		fit, other := otherScores(v.CulturalFit)
		a.Set("cultural_fit", fit)
		a.Set("country", "A's country")
		if r := first.post(path, a); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("A's save: %d\n%.600s", r.StatusCode, r.Body)
		}
		b.Set("cultural_fit", other)
		b.Set("notes", "B's notes")
		before := rowText(t, e, "vendors", v.ID)
		r := second.post(path, b)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("B's save of the same field: %d, want 409", r.StatusCode)
		}
		if after := rowText(t, e, "vendors", v.ID); after != before {
			t.Errorf("the 409 stored something:\n%s\n%s", before, after)
		}
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="conflict"] tbody tr`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "Cultural fit") || !strings.Contains(rows.Text(), fit) || !strings.Contains(rows.Text(), other) {
			t.Errorf("the conflict lists %d rows: %q; want just the cultural fit, with both values", rows.Length(), rows.Text())
		}
		if v := doc.Find(`input[name="country"]`).AttrOr("value", ""); v != "A's country" {
			t.Errorf("the 409 form does not hold A's country: %q", v)
		}
		// Saving from the 409 page, as it suggests.
		if r := second.post(path, scrapeForm(t, r, "#vendor-form form")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving from the 409 page: %d\n%.600s", r.StatusCode, r.Body)
		}
		var got models.Vendor
		e.db.First(&got, v.ID)
		if fmt.Sprint(got.CulturalFit) != other || got.Notes != "B's notes" || got.Country != "A's country" {
			t.Errorf("after saving from the 409 page: cultural fit %d, notes %q, country %q (A's country must stay)", got.CulturalFit, got.Notes, got.Country)
		}
	})
}

// A vendor with active engagements cannot be archived (422); one without can,
// and leaves the list for the archived list, its history recording it.
func TestVendorArchive(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var busy models.Vendor
		e.db.Where("id IN (SELECT vendor_id FROM engagements WHERE closed_on IS NULL)").Order("id").First(&busy)
		c := e.client()
		c.login(models.RoleAdmin)
		tok := c.csrf(fmt.Sprintf("/vendors/%d", busy.ID))
		r := c.post(fmt.Sprintf("/vendors/%d/archive", busy.ID), url.Values{"_csrf": {tok}, "version": {fmt.Sprint(busy.Version)}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find(`[data-testid="vendor-admin-error"]`).Text(), "active engagements") {
			t.Errorf("archive a busy vendor: %d", r.StatusCode)
		}
		if r = c.post("/vendors", vendorPost(tok)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create a vendor: %d", r.StatusCode)
		}
		var idle models.Vendor
		e.db.Where("name = ?", "Acme Delivery").First(&idle)
		r = c.post(fmt.Sprintf("/vendors/%d/archive", idle.ID), url.Values{"_csrf": {tok}, "version": {"1"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d\n%s", r.StatusCode, r.Body)
		}
		e.db.First(&idle, idle.ID)
		if !idle.Archived || !hasChange(changesOf(t, e, "vendor", idle.ID), "archived", "no", "yes") {
			t.Errorf("archived %v", idle.Archived)
		}
		inUse := c.get("/vendors").Doc(t).Find(`[data-testid="vendors-table"]`).Text()
		archived := c.get("/vendors?archived=1").Doc(t).Find(`[data-testid="vendors-table"]`).Text()
		if strings.Contains(inUse, "Acme Delivery") || !strings.Contains(archived, "Acme Delivery") {
			t.Error("the archived vendor is in the wrong list")
		}
		// A stale version (1, now 2) answers 409.
		if r := c.post(fmt.Sprintf("/vendors/%d/restore", idle.ID), url.Values{"_csrf": {tok}, "version": {"1"}}); r.StatusCode != http.StatusConflict {
			t.Errorf("stale restore: %d", r.StatusCode)
		}
	})
}
