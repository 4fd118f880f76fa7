package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/web"
	"portfolio/web/sso/oidctest"
)

// localUser makes an account with a password, as the users page does.
func (se *ssoEnv) localUser(name, email, role string) models.User {
	se.t.Helper()
	u := models.User{Name: name, Email: email, Role: role}
	if err := models.CreateUser(context.Background(), se.db, &u, "a long local password", nil, se.now); err != nil {
		se.t.Fatal(err)
	}
	return u
}

// A provider account whose email is a local account's does not take it over:
// with linking by email off (the default) the sign-in is refused with a page
// saying an administrator must sort it out, verified email or not; with it on,
// an administrator's account, or one above the provider's role, is still
// never linked, while an ordinary one is.
func TestSSOEmailTakeoverRefused(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		root := se.localUser("Root", "root@example.com", models.RoleAdmin)
		se.localUser("Hal", "hal@example.com", models.RoleManager)
		se.op.AddUser(oidctest.User{Subject: "sub-root", Email: "root@example.com", EmailVerified: true, Groups: []string{"portfolio-execs"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-hal", Email: "HAL@example.com", EmailVerified: false, Groups: []string{"portfolio-managers"}, Password: "pw"})
		for _, email := range []string{"root@example.com", "HAL@example.com"} {
			c := se.client()
			before := se.logs.Len()
			r := se.ssoSignIn(c, "", email, "pw")
			if r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
				t.Fatalf("%s: %d, signed in as %+v", email, r.StatusCode, se.signedInAs(c))
			}
			if !strings.Contains(r.Body, "An account with this email already exists") || !strings.Contains(r.Body, "an administrator must") {
				t.Errorf("%s: the page does not say why:\n%s", email, r.Body)
			}
			if got := se.logs.String()[before:]; !strings.Contains(got, "level=WARN") || !strings.Contains(got, "linking by email is off") {
				t.Errorf("%s: not logged as a warning with its reason:\n%s", email, got)
			}
		}
		if u := se.user("sub-root"); u != nil {
			t.Errorf("an account was linked or made: %+v", u)
		}
		var r models.User
		se.db.First(&r, root.ID)
		if r.SSOSubject != "" || r.Role != models.RoleAdmin {
			t.Errorf("the admin account changed: %+v", r)
		}
	})
	eachSSO(t, handlers.SSO{LinkEmail: true}, func(t *testing.T, se *ssoEnv) {
		se.localUser("Root", "root@example.com", models.RoleAdmin)
		hal := se.localUser("Hal", "hal@example.com", models.RoleManager)
		se.localUser("Mo", "mo@example.com", models.RoleManager)
		se.op.AddUser(oidctest.User{Subject: "sub-root", Email: "root@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-mo", Email: "mo@example.com", EmailVerified: true, Groups: []string{"portfolio-execs"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-hal", Email: "hal@example.com", EmailVerified: true, Groups: []string{"portfolio-managers"}, Password: "pw"})
		for _, email := range []string{"root@example.com", "mo@example.com"} {
			c := se.client()
			if r := se.ssoSignIn(c, "", email, "pw"); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
				t.Errorf("%s with linking on: %d", email, r.StatusCode)
			}
		}
		if !strings.Contains(se.logs.String(), "never linked by email") {
			t.Errorf("the refusal is not logged with its reason:\n%s", se.logs)
		}
		c := se.client()
		if r := se.ssoSignIn(c, "", "hal@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a manager to a manager, verified: %d\n%s", r.StatusCode, se.logs)
		}
		if u := se.user("sub-hal"); u == nil || u.ID != hal.ID {
			t.Errorf("the local account was not linked: %+v", u)
		}
	})
}

// The provider taking the admin group from the last active administrator
// refuses the sign-in: it neither demotes the last admin nor signs them in
// with a role the provider did not give.
func TestSSOLastAdminDemotionRefused(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-ada", Email: "ada@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw"})
		if r := se.ssoSignIn(se.client(), "", "ada@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d", r.StatusCode)
		}
		se.op.SetGroups("sub-ada", "portfolio-execs")
		c := se.client()
		before := se.logs.Len()
		if r := se.ssoSignIn(c, "", "ada@example.com", "pw"); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
			t.Fatalf("demoted last admin: %d, signed in as %+v", r.StatusCode, se.signedInAs(c))
		}
		if u := se.user("sub-ada"); u.Role != models.RoleAdmin {
			t.Errorf("the last admin's role: %s", u.Role)
		}
		if got := se.logs.String()[before:]; !strings.Contains(got, "level=WARN") || !strings.Contains(got, "last active administrator") {
			t.Errorf("not logged:\n%s", got)
		}
	})
}

// While single sign-on is configured, an account linked to an identity signs
// in through it only: its password gets the answer of a wrong one (and counts
// against the throttle), whatever --local-login says; the users page offers
// no password reset for it, and the handler refuses one.
func TestSSOLinkedAccountsHaveNoPasswordSignIn(t *testing.T) {
	for _, mode := range []string{handlers.LocalOn, handlers.LocalAdminOnly} {
		eachSSO(t, handlers.SSO{LinkEmail: true, LocalLogin: mode}, func(t *testing.T, se *ssoEnv) {
			se.localUser("Root", "root@example.com", models.RoleAdmin)
			hal := se.localUser("Hal", "hal@example.com", models.RoleAdmin)
			se.db.Model(&models.User{}).Where("id = ?", hal.ID).UpdateColumns(map[string]any{"sso_issuer": se.op.Issuer, "sso_subject": "sub-hal"})
			wrong := se.client().signInAttempt("hal@example.com", "not the password", "")
			right := se.client().signInAttempt("hal@example.com", "a long local password", "")
			if right.StatusCode != wrong.StatusCode || right.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: the linked account's password: %d, a wrong one %d", mode, right.StatusCode, wrong.StatusCode)
			}
			msg := func(r resp) string { return r.Doc(t).Find(`[role="alert"]`).Text() }
			if msg(right) != msg(wrong) || msg(right) == "" {
				t.Errorf("%s: told %q, a wrong password %q", mode, msg(right), msg(wrong))
			}
			var th models.LoginThrottle
			if err := se.db.Where("key = ?", "email:hal@example.com").First(&th).Error; err != nil || th.Failures != 2 {
				t.Errorf("%s: throttle %+v %v, want 2 failures", mode, th, err)
			}
			// The unlinked admin still signs in with a password (break-glass).
			if r := se.client().signInAttempt("root@example.com", "a long local password", ""); r.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: the unlinked admin's password: %d", mode, r.StatusCode)
			}
			ac := se.client()
			ac.loginAs("root@example.com", "a long local password")
			page := ac.get(fmt.Sprintf("/users/%d", hal.ID)).Doc(t)
			if page.Find(`form[action$="/password"]`).Length() != 0 || page.Find(`[data-testid="user-password-sso"]`).Length() != 1 {
				t.Errorf("%s: the users page offers a password reset for a linked account", mode)
			}
			r := ac.post(fmt.Sprintf("/users/%d/password", hal.ID), url.Values{"_csrf": {ac.csrf("/account")}, "password": {"another long password 42"}, "confirm": {"another long password 42"}})
			if r.StatusCode < 400 || r.StatusCode >= 500 {
				t.Errorf("%s: a password reset of a linked account: %d", mode, r.StatusCode)
			}
			var after models.User
			se.db.First(&after, hal.ID)
			if after.PasswordHash != hal.PasswordHash {
				t.Errorf("%s: the linked account's password changed", mode)
			}
		})
	}
}

// --oidc-unmapped=refuse: a linked user the provider no longer maps is
// refused, loses its live sessions and is demoted to executive through the
// audited write; the last active admin loses its sessions only.
func TestSSOUnmappedRefuseDemotesAndSignsOut(t *testing.T) {
	eachSSO(t, handlers.SSO{Unmapped: "refuse"}, func(t *testing.T, se *ssoEnv) {
		for _, s := range []string{"ann", "bea"} {
			se.op.AddUser(oidctest.User{Subject: "sub-" + s, Email: s + "@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw"})
		}
		annLive, beaLive := se.client(), se.client()
		se.ssoSignIn(annLive, "", "ann@example.com", "pw")
		se.ssoSignIn(beaLive, "", "bea@example.com", "pw")
		if !annLive.signedIn() || !beaLive.signedIn() {
			t.Fatalf("not signed in to begin with")
		}
		se.op.SetGroups("sub-ann", "everyone")
		if r := se.ssoSignIn(se.client(), "", "ann@example.com", "pw"); r.StatusCode != http.StatusForbidden {
			t.Fatalf("unmapped: %d", r.StatusCode)
		}
		ann := se.user("sub-ann")
		if ann.Role != models.RoleExecutive || annLive.signedIn() {
			t.Errorf("unmapped admin: role %s, session live %v", ann.Role, annLive.signedIn())
		}
		var ch models.Change
		if err := se.db.Where("entity = ? AND entity_id = ? AND field = ?", "user", ann.ID, "role").Order("id DESC").First(&ch).Error; err != nil || ch.New != models.RoleExecutive {
			t.Errorf("the demotion's history: %+v %v", ch, err)
		}
		// Bea is now the last admin.
		se.op.SetGroups("sub-bea")
		before := se.logs.Len()
		if r := se.ssoSignIn(se.client(), "", "bea@example.com", "pw"); r.StatusCode != http.StatusForbidden {
			t.Fatalf("the last admin unmapped: %d", r.StatusCode)
		}
		if bea := se.user("sub-bea"); bea.Role != models.RoleAdmin || beaLive.signedIn() {
			t.Errorf("the last admin unmapped: role %s, session live %v", bea.Role, beaLive.signedIn())
		}
		if got := se.logs.String()[before:]; !strings.Contains(got, "level=WARN") || !strings.Contains(got, "last active administrator") {
			t.Errorf("not warned:\n%s", got)
		}
	})
}

// Where to go after signing in: too long for the pending cookie, or not a
// path here, the sign-in lands on the home page (never a 500, never another
// site); a refusal's page keeps it for the next try.
func TestSSONextIsBoundedAndKept(t *testing.T) {
	eachSSO(t, handlers.SSO{Unmapped: "refuse"}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-lu", Email: "lu@example.com", EmailVerified: true, Groups: []string{"portfolio-managers"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-no", Email: "no@example.com", EmailVerified: true, Groups: []string{"everyone"}, Password: "pw"})
		for _, next := range []string{"/risks?q=" + strings.Repeat("a", 3500), "//evil.example.com/x", "/\\evil.example.com"} {
			r := se.ssoSignIn(se.client(), next, "lu@example.com", "pw")
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Errorf("next=%.40q: %d to %q", next, r.StatusCode, r.Header.Get("Location"))
			}
		}
		r := se.ssoSignIn(se.client(), "/risks", "no@example.com", "pw")
		if got, _ := r.Doc(t).Find(`input[name="next"]`).Attr("value"); r.StatusCode != http.StatusForbidden || got != "/risks" {
			t.Errorf("a refusal's page: %d, next %q", r.StatusCode, got)
		}
		if got, _ := r.Doc(t).Find(`[data-testid="sso-signin"]`).Attr("href"); !strings.Contains(got, url.QueryEscape("/risks")) {
			t.Errorf("a refusal's Sign in with … link: %q", got)
		}
	})
}

// Where cookies are Secure, the pending sign-in's cookie has the __Host-
// prefix (Secure, Path=/, no Domain), which a sibling subdomain cannot set.
func TestSSOPendingCookieHostPrefix(t *testing.T) {
	for _, secure := range []bool{false, true} {
		se := newSSOEnvWith(t, dbtest.Open(t, "sqlite"), handlers.SSO{}, func(o *web.Options) { o.SecureCookies = secure })
		r := se.client().get("/login/oidc")
		var ck *http.Cookie
		for _, k := range r.Cookies() {
			if strings.Contains(k.Name, "portfolio_sso") {
				ck = k
			}
		}
		want, path := "portfolio_sso", "/login/oidc"
		if secure {
			want, path = "__Host-portfolio_sso", "/"
		}
		if ck == nil || ck.Name != want || ck.Path != path || ck.Secure != secure || ck.Domain != "" {
			t.Errorf("secure=%v: the pending cookie %+v, want %s at %s", secure, ck, want, path)
		}
	}
}

// A provider that keeps the email and groups out of the ID token (userinfo
// only): they are read from userinfo, which must be about the same subject;
// the email and its verification come from one source, so an ID token's
// email_verified never vouches for userinfo's email.
func TestSSOUserinfoOnlyClaims(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.UserinfoOnly(true)
		se.op.AddUser(oidctest.User{Subject: "sub-uma", Email: "uma@example.com", EmailVerified: true, Name: "Uma", Groups: []string{"portfolio-managers"}, Password: "pw"})
		if r := se.ssoSignIn(se.client(), "", "uma@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("userinfo only: %d\n%s", r.StatusCode, se.logs)
		}
		if u := se.user("sub-uma"); u == nil || u.Role != models.RoleManager || u.Email != "uma@example.com" || u.Name != "Uma" {
			t.Fatalf("from userinfo: %+v", u)
		}
		// The ID token says verified (and has no email); userinfo's email is not.
		se.op.AddUser(oidctest.User{Subject: "sub-val", Email: "val@example.com", EmailVerified: false, Groups: []string{"portfolio-managers"}, Password: "pw"})
		se.op.Tamper(func(c map[string]any) { c["email_verified"] = true }, false)
		if r := se.ssoSignIn(se.client(), "", "val@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("mixed sources: %d\n%s", r.StatusCode, se.logs)
		}
		if u := se.user("sub-val"); u == nil || u.Email != "" {
			t.Errorf("an email verified by the other source was stored: %+v", u)
		}
		// An ID token about another subject than userinfo's is refused.
		se.op.Tamper(func(c map[string]any) { c["sub"] = "sub-someone-else" }, false)
		defer se.op.Tamper(nil, false)
		c := se.client()
		before := se.logs.Len()
		if r := se.ssoSignIn(c, "", "uma@example.com", "pw"); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
			t.Fatalf("userinfo about another subject: %d", r.StatusCode)
		}
		if got := se.logs.String()[before:]; !strings.Contains(got, "userinfo is about another subject") {
			t.Errorf("not logged:\n%s", got)
		}
	})
}

// The ID token verifier is made once, at discovery: its key set is fetched
// once, not at every sign-in.
func TestSSOKeySetFetchedOnce(t *testing.T) {
	se := newSSOEnv(t, dbtest.Open(t, "sqlite"), handlers.SSO{})
	se.op.AddUser(oidctest.User{Subject: "sub-ka", Email: "ka@example.com", EmailVerified: true, Groups: []string{"portfolio-managers"}, Password: "pw"})
	for range 3 {
		if r := se.ssoSignIn(se.client(), "", "ka@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", r.StatusCode)
		}
	}
	if n := se.op.Hits("/keys"); n != 1 {
		t.Errorf("the key set was fetched %d times for 3 sign-ins, want 1", n)
	}
}

// Two sign-ins of one person at once whose saves keep crossing: one retry,
// then a page saying so (409), never a 500.
func TestSSOSignInStaleTwiceIs409(t *testing.T) {
	se := newSSOEnv(t, dbtest.Open(t, "sqlite"), handlers.SSO{})
	se.op.AddUser(oidctest.User{Subject: "sub-tab", Email: "tab@example.com", EmailVerified: true, Groups: []string{"portfolio-managers"}, Password: "pw"})
	if r := se.ssoSignIn(se.client(), "", "tab@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", r.StatusCode)
	}
	u := se.user("sub-tab")
	races := 0 // saves of another tab that land just before this one's
	if err := se.db.Callback().Update().Before("gorm:update").Register("test:other-tab", func(tx *gorm.DB) {
		if tx.Statement.Table == "users" && races > 0 {
			races--
			tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE users SET name = name || '.' WHERE id = ?", u.ID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	se.op.SetGroups("sub-tab", "portfolio-execs")
	races = 2
	r := se.ssoSignIn(se.client(), "/risks", "tab@example.com", "pw")
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "another sign-in at the same moment") {
		t.Fatalf("stale twice: %d\n%s", r.StatusCode, r.Body)
	}
	races = 1
	if r := se.ssoSignIn(se.client(), "", "tab@example.com", "pw"); r.StatusCode != http.StatusSeeOther || se.user("sub-tab").Role != models.RoleExecutive {
		t.Fatalf("stale once: %d, role %s", r.StatusCode, se.user("sub-tab").Role)
	}
}
