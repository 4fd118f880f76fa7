package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// feedAddress makes the signed-in user's calendar address on their account
// page and reads it from the page it returns to (shown that once).
func feedAddress(t *testing.T, c *client) string {
	t.Helper()
	r := c.post("/account/calendar", url.Values{"_csrf": {c.csrf("/account")}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("make a calendar address: %d", r.StatusCode)
	}
	page := c.get("/account")
	m := regexp.MustCompile(`https?://[^/\s"<]+(/calendar/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the account page does not show the new address:\n%.2000s", page.Body)
	}
	if !strings.Contains(page.Body, `data-testid="calendar-live"`) {
		t.Error("the account page does not say the address is live")
	}
	return m[1]
}

// A manager's calendar address serves their risk reviews and milestones as
// iCalendar that the library parses, to anyone holding it, signed in or
// not; a new address ends the old one, and a revoked one answers 404, as
// does one of a disabled user.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mgr := e.client()
		mgr.login(models.RoleManager)
		var u models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&u)
		var risk models.Risk
		e.db.Where("owner_id = ? AND status <> ? AND next_review IS NOT NULL", u.ID, models.StatusClosed).Order("next_review").First(&risk)
		if risk.ID == 0 {
			t.Fatal("the demo manager owns no open risk")
		}
		e.db.Model(&models.Risk{}).Where("id = ?", risk.ID).Update("next_review", today().AddDays(20))
		addr := feedAddress(t, mgr)
		anon := e.client()
		r := anon.get(addr)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("the feed: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%.500s", err, r.Body)
		}
		found := false
		for _, ev := range cal.Events() {
			sum := ev.GetProperty(ics.ComponentPropertySummary)
			start, err := ev.GetAllDayStartAt()
			if sum != nil && strings.Contains(sum.Value, risk.Ref) && err == nil && start.Format("2006-01-02") == today().AddDays(20).String() {
				found = true
			}
		}
		if !found || len(cal.Events()) < 2 {
			t.Errorf("the feed's %d events lack the review of %s on %s", len(cal.Events()), risk.Ref, today().AddDays(20))
		}
		second := feedAddress(t, mgr)
		if r := anon.get(addr); r.StatusCode != http.StatusNotFound {
			t.Errorf("the address replaced by a new one: %d, want 404", r.StatusCode)
		}
		if r := anon.get(second); r.StatusCode != http.StatusOK {
			t.Errorf("the new address: %d", r.StatusCode)
		}
		if r := mgr.post("/account/calendar/revoke", url.Values{"_csrf": {mgr.csrf("/account")}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		if r := anon.get(second); r.StatusCode != http.StatusNotFound {
			t.Errorf("a revoked address: %d, want 404", r.StatusCode)
		}
		if r := mgr.get("/account"); !strings.Contains(r.Body, `data-testid="calendar-none"`) {
			t.Error("after revoking, the account page still shows a live address")
		}
		third := feedAddress(t, mgr)
		e.db.Model(&models.User{}).Where("id = ?", u.ID).Update("disabled", true)
		if r := anon.get(third); r.StatusCode != http.StatusNotFound {
			t.Errorf("a disabled user's address: %d, want 404", r.StatusCode)
		}
		// An administrator disables the account, then enables it again: the address stays revoked.
		e.db.Model(&models.User{}).Where("id = ?", u.ID).Update("disabled", false)
		if r := anon.get(third); r.StatusCode != http.StatusOK {
			t.Fatalf("the address before the account is disabled: %d", r.StatusCode)
		}
		var admin models.User
		e.db.Where("role = ?", models.RoleAdmin).First(&admin)
		e.db.First(&u, u.ID)
		if err := models.SetDisabled(t.Context(), e.db, &u, true, &admin.ID, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		if err := models.SetDisabled(t.Context(), e.db, &u, false, &admin.ID, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		if r := anon.get(third); r.StatusCode != http.StatusNotFound {
			t.Errorf("the address after the account was disabled and enabled again: %d, want 404", r.StatusCode)
		}
		if r := anon.get("/calendar/not-a-feed.ics"); r.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown address: %d", r.StatusCode)
		}
	})
}
