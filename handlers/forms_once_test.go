package handlers_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"portfolio/models"
)

// A create form sent several times at once (a double click, a browser's
// retry racing the first) is stored once: every answer leads to that record.
func TestCreateFormSentAtOnceIsStoredOnce(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		mine, _ := managedEngagements(t, e)
		c := e.client()
		c.login(models.RoleManager)
		form := scrapeForm(t, c.get(fmt.Sprintf("/risks/new?engagement=%d", mine.ID)), "#risk-form")
		for k, v := range riskPost("", mine.Code) {
			if k != "_csrf" {
				form[k] = v
			}
		}
		form.Set("title", "Sent at once")
		const n = 6
		answers := make([]resp, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { answers[i] = c.post("/risks", form) })
		}
		wg.Wait()
		var stored int64
		e.db.Model(&models.Risk{}).Where("title = ?", "Sent at once").Count(&stored)
		if stored != 1 {
			t.Fatalf("%d risks stored from one form sent %d times at once", stored, n)
		}
		var r models.Risk
		e.db.Where("title = ?", "Sent at once").First(&r)
		for i, a := range answers {
			if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != fmt.Sprintf("/risks/%d", r.ID) {
				t.Errorf("answer %d: %d to %q, want 303 to /risks/%d", i, a.StatusCode, a.Header.Get("Location"), r.ID)
			}
		}
		// The same form with a field changed (the user went back and saved
		// again) is not a repeat: it is stored.
		form.Set("title", "Sent at once, then changed")
		if a := c.post("/risks", form); a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") == fmt.Sprintf("/risks/%d", r.ID) {
			t.Errorf("the form changed and sent again: %d to %q", a.StatusCode, a.Header.Get("Location"))
		}
		e.db.Model(&models.Risk{}).Where("title = ?", "Sent at once, then changed").Count(&stored)
		if stored != 1 {
			t.Errorf("the changed form stored %d risks, want 1", stored)
		}
		form.Set("title", "Sent at once")
		// Another user cannot replay someone's token.
		other := e.client()
		other.login(models.RoleAdmin)
		form.Set("_csrf", other.csrf("/risks/new"))
		if a := other.post("/risks", form); a.StatusCode != http.StatusBadRequest {
			t.Errorf("another user's replay of the token: %d, want 400", a.StatusCode)
		}
	})
}
