package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// A NUL byte or bytes that are not UTF-8, in the address or a form, anonymous
// or signed in, are refused with 422 before anything reads them, on both
// databases (PostgreSQL answered 500 to each), and nothing is stored.
func TestInputIsText(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		anon := e.client()
		tok := anon.csrf("/login")
		for _, bad := range []string{"a\x00b@example.com", "\xff\xfe@example.com"} {
			r := anon.post("/login", url.Values{"_csrf": {tok}, "email": {bad}, "password": {"whatever it is"}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not text") {
				t.Errorf("sign-in with %q: %d", bad, r.StatusCode)
			}
		}
		c := e.client()
		c.login(models.RoleManager)
		for _, path := range []string{"/engagements?q=%00", "/risks?q=%FF%FE", "/lessons?q=a%00"} {
			if r := c.get(path); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("GET %s: %d", path, r.StatusCode)
			}
		}
		f := pickRisks(t, e)
		path := "/risks/" + itoa(f.mine.ID)
		form := scrapeForm(t, c.get(path+"/edit"), "#risk-form")
		before := rowText(t, e, "risks", f.mine.ID)
		for _, bad := range []string{"Title\x00 with a NUL", "Title \xc3\x28 broken"} {
			form.Set("title", bad)
			if r := c.post(path, form); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a risk titled %q: %d", bad, r.StatusCode)
			}
		}
		if after := rowText(t, e, "risks", f.mine.ID); after != before {
			t.Error("a refused form stored something")
		}
		// Text that only looks unusual is text.
		form.Set("title", "Ünïcödé — 日本語 ✓")
		if r := c.post(path, form); r.StatusCode != http.StatusSeeOther {
			t.Errorf("a title in other scripts: %d", r.StatusCode)
		}
	})
}
