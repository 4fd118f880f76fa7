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

// Editing a vendor stores the change with history; a stale form answers 409.
func TestVendorUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		var v models.Vendor
		e.db.Order("id").First(&v)
		c := e.client()
		c.login(models.RoleAdmin)
		edit := fmt.Sprintf("/vendors/%d/edit", v.ID)
		first := scrapeForm(t, c.get(edit), "#vendor-form form")
		stale := scrapeForm(t, c.get(edit), "#vendor-form form")
		first.Set("cultural_fit", "1")
		if r := c.post(fmt.Sprintf("/vendors/%d", v.ID), first); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
		}
		var got models.Vendor
		e.db.First(&got, v.ID)
		if got.CulturalFit != 1 || got.Version != v.Version+1 {
			t.Errorf("stored %+v", got)
		}
		if !hasChange(changesOf(t, e, "vendor", v.ID), "cultural_fit", fmt.Sprint(v.CulturalFit), "1") && v.CulturalFit != 1 {
			t.Error("no history")
		}
		stale.Set("notes", "my notes")
		r := c.post(fmt.Sprintf("/vendors/%d", v.ID), stale)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("stale: %d", r.StatusCode)
		}
		if d := r.Doc(t); d.Find(`textarea[name="notes"]`).Text() != "my notes" || d.Find(`[data-testid="conflict"]`).Length() == 0 {
			t.Error("409 lost the input or shows no conflict")
		}
	})
}

// A vendor with active engagements cannot be archived (422); one without can,
// and leaves the list for the archived list, its history recording it.
func TestVendorArchive(t *testing.T) {
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
