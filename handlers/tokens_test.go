package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// TestAccountTokens: a user makes a token on the account page (shown once,
// in the flash), sees it listed, and revokes it; an executive is offered and
// allowed read tokens only; an admin sees everyone's on /tokens and revokes any.
func TestAccountTokens(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	ae := newAppEnv(t, db, nil)
	exec := ae.client()
	exec.login(models.RoleExecutive)
	page := exec.get("/account")
	if n := page.Doc(t).Find(`#api-tokens select[name="scope"] option[value="write"]`).Length(); n != 0 {
		t.Errorf("an executive is offered write tokens")
	}
	if page.Doc(t).Find(`[data-testid="tokens-none"]`).Length() != 1 {
		t.Errorf("no empty state for tokens")
	}
	r := exec.post("/account/tokens", url.Values{"_csrf": {exec.token()}, "name": {"Board deck"}, "scope": {"write"}, "expires": {today().AddDays(30).String()}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "can only read") {
		t.Errorf("an executive's write token: %d", r.StatusCode)
	}
	r = exec.post("/account/tokens", url.Values{"_csrf": {exec.token()}, "name": {"Board deck"}, "scope": {"read"}, "expires": {today().AddDays(400).String()}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "At most 365 days") {
		t.Errorf("a token past the longest life: %d", r.StatusCode)
	}
	r = exec.post("/account/tokens", url.Values{"_csrf": {exec.token()}, "name": {"Board deck"}, "scope": {"read"}, "expires": {today().AddDays(30).String()}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("make a token: %d\n%.500s", r.StatusCode, r.Body)
	}
	page = exec.get("/account")
	secret := regexp.MustCompile(`pfl_[A-Za-z0-9_-]{43}`).FindString(page.Body)
	if secret == "" {
		t.Fatal("the new token is not shown")
	}
	if again := exec.get("/account"); strings.Contains(again.Body, secret) {
		t.Error("the token is shown twice")
	}
	if res := ae.api(secret).get("/api/v1/vendors?limit=1"); res.StatusCode != http.StatusOK {
		t.Errorf("the token made on the page: %d", res.StatusCode)
	}
	rows := page.Doc(t).Find(`[data-testid="token-row"]`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Board deck") || !strings.Contains(rows.Text(), "live") {
		t.Errorf("token list: %q", rows.Text())
	}
	// The list shows the day chosen, the last day the token works.
	if got, want := rows.Find(`[data-testid="token-last-day"]`).Text(), today().AddDays(30).Human(); got != want {
		t.Errorf("the token chosen to expire on %s is listed as working until %q", want, got)
	}
	var tok models.APIToken
	db.Where("name = ?", "Board deck").First(&tok)

	// Another user cannot revoke it; an admin sees and can.
	mgr := ae.client()
	mgr.login(models.RoleManager)
	if r := mgr.post(fmt.Sprintf("/account/tokens/%d/revoke", tok.ID), url.Values{"_csrf": {mgr.token()}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another's token revoked from their account: %d", r.StatusCode)
	}
	admin := ae.client()
	admin.login(models.RoleAdmin)
	list := admin.get("/tokens")
	if !strings.Contains(list.Doc(t).Find(`[data-testid="token-row"]`).Text(), "Board deck") {
		t.Errorf("/tokens does not list the executive's token")
	}
	if r := exec.post(fmt.Sprintf("/account/tokens/%d/revoke", tok.ID), url.Values{"_csrf": {exec.token()}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if res := ae.api(secret).get("/api/v1/vendors"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", res.StatusCode)
	}
	if !strings.Contains(exec.get("/account").Doc(t).Find(`[data-testid="token-state"]`).Text(), "revoked") {
		t.Errorf("the list does not say revoked")
	}

	// An admin revokes another user's token from /tokens: it stops working.
	other := tokenFor(t, db, userByEmail(t, db, demoAccount(t, models.RoleExecutive).Email), models.ScopeRead, 0)
	var otherTok models.APIToken
	db.Where("revoked_at IS NULL").Order("id DESC").First(&otherTok)
	if res := ae.api(other).get("/api/v1/vendors?limit=1"); res.StatusCode != http.StatusOK {
		t.Fatalf("the second token: %d", res.StatusCode)
	}
	if r := admin.post(fmt.Sprintf("/tokens/%d/revoke", otherTok.ID), url.Values{"_csrf": {admin.csrf("/tokens")}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("an admin's revoke of another's token: %d", r.StatusCode)
	}
	if res := ae.api(other).get("/api/v1/vendors?limit=1"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a token an admin revoked: %d", res.StatusCode)
	}
}
