package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/sso"
	"portfolio/web"
	websso "portfolio/web/sso"
	"portfolio/web/sso/oidctest"
)

// The single sign-on tests run the app against a real OpenID Connect
// provider on 127.0.0.1 (web/sso/oidctest: zitadel's op package), both
// signing on the app's clock (PORTFOLIO_TEST_TODAY may move it).

const ssoRoles = "portfolio-admins=admin,portfolio-managers=manager,portfolio-execs=executive"

// ssoEnv is the app with single sign-on through a provider of its own.
type ssoEnv struct {
	*env
	op   *oidctest.Provider
	logs *syncBuffer
}

// newSSOEnv serves the app over db with single sign-on configured as cfg
// says (its Client is made here).
func newSSOEnv(t *testing.T, db *gorm.DB, cfg handlers.SSO) *ssoEnv {
	t.Helper()
	return newSSOEnvWith(t, db, cfg, nil)
}

// newSSOEnvWith is newSSOEnv with the server's options adjusted by tweak.
func newSSOEnvWith(t *testing.T, db *gorm.DB, cfg handlers.SSO, tweak func(*web.Options)) *ssoEnv {
	t.Helper()
	e := &env{t: t, db: db, now: dbtest.Now()}
	logs := &syncBuffer{}
	now := func() time.Time { return e.now }
	o := web.Options{DB: db, Log: slog.New(slog.NewTextHandler(logs, nil)), SessionKeys: testKeys, Now: now}
	if tweak != nil {
		tweak(&o)
	}
	s := web.New(o)
	h := handlers.New(s, db)
	e.srv = httptest.NewServer(s.Echo)
	t.Cleanup(e.srv.Close)
	p := oidctest.Start(t, now)
	p.Register(e.srv.URL+"/login/oidc/callback", e.srv.URL+"/login?out=1")
	cfg.Client = websso.New(websso.Config{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: e.srv.URL + "/login/oidc/callback", Scopes: []string{"profile", "email"}, Name: "Test IdP", RoleClaim: "groups"}, now)
	if cfg.Roles == nil {
		cfg.Roles, _ = sso.ParseRoles(ssoRoles)
	}
	if cfg.Unmapped == "" {
		cfg.Unmapped = sso.UnmappedExecutive
	}
	h.SetSSO(cfg)
	return &ssoEnv{env: e, op: p, logs: logs}
}

// ssoSignIn walks a browser through "Sign in with …": the app sends it to
// the provider, whose sign-in page it fills in, and the provider sends it
// back to the app's callback. It returns the callback's answer.
func (se *ssoEnv) ssoSignIn(c *client, next, email, password string) resp {
	se.t.Helper()
	return c.get(se.ssoCallbackURL(c, next, email, password))
}

// ssoCallbackURL walks the browser to the provider and back as ssoSignIn
// does, but returns the app's callback address (path and query) unvisited.
func (se *ssoEnv) ssoCallbackURL(c *client, next, email, password string) string {
	t := se.t
	t.Helper()
	start := "/login/oidc"
	if next != "" {
		start += "?next=" + url.QueryEscape(next)
	}
	r := c.get(start)
	if r.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: %d, want a redirect to the provider\n%s", start, r.StatusCode, r.Body)
	}
	at := r.Header.Get("Location")
	if !strings.HasPrefix(at, se.op.Issuer+"/authorize?") {
		t.Fatalf("sent to %s, not the provider's authorization endpoint", at)
	}
	q, _ := url.Parse(at)
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Query().Get(k) == "" {
			t.Fatalf("the authorization request lacks %s: %s", k, at)
		}
	}
	if q.Query().Get("code_challenge_method") != "S256" {
		t.Fatalf("PKCE is not S256: %s", at)
	}
	pc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	step := func(res *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("provider %s: %d\n%s", res.Request.URL, res.StatusCode, body)
		}
		loc, err := res.Request.URL.Parse(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return loc.String()
	}
	login := step(pc.Get(at))
	lu, _ := url.Parse(login)
	id := lu.Query().Get("authRequestID")
	back := step(pc.PostForm(se.op.Issuer+"/login", url.Values{"id": {id}, "username": {email}, "password": {password}}))
	back = step(pc.Get(back))
	if !strings.HasPrefix(back, se.srv.URL+"/login/oidc/callback?") {
		t.Fatalf("the provider sent the browser to %s, not the app's callback", back)
	}
	return strings.TrimPrefix(back, se.srv.URL)
}

// signedInAs is the user the client's session is of (nil: none).
func (se *ssoEnv) signedInAs(c *client) *models.User {
	se.t.Helper()
	r := c.get("/account")
	if r.StatusCode != http.StatusOK {
		return nil
	}
	var u models.User
	email := r.Doc(se.t).Find(`[data-testid="account-email"]`).Text()
	if err := se.db.Where("email = ?", strings.TrimSpace(email)).First(&u).Error; err != nil {
		se.t.Fatalf("account page of %q: %v", email, err)
	}
	return &u
}

func (se *ssoEnv) user(subject string) *models.User {
	var u models.User
	if err := se.db.Where("sso_subject = ?", subject).First(&u).Error; err != nil {
		return nil
	}
	return &u
}

func eachSSO(t *testing.T, cfg handlers.SSO, fn func(t *testing.T, se *ssoEnv)) {
	for _, k := range dbtest.Kinds() {
		t.Run(k, func(t *testing.T) { fn(t, newSSOEnv(t, dbtest.Open(t, k), cfg)) })
	}
}

// A first sign-in through the provider creates the account just in time,
// with the role its groups map to, and lands where the user was going.
func TestSSOSignInEndToEnd(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-ann", Email: "Ann@Example.com", EmailVerified: true, Name: "Ann Lee",
			Groups: []string{"staff", "portfolio-managers"}, Password: "provider-pass"})
		c := se.client()
		page := c.get("/login")
		if got := strings.TrimSpace(page.Doc(t).Find(`[data-testid="sso-signin"]`).Text()); got != "Sign in with Test IdP" {
			t.Fatalf("the sign-in page's button reads %q", got)
		}
		back := se.ssoCallbackURL(c, "/risks", "Ann@Example.com", "provider-pass")
		r := c.get(back)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/risks" {
			t.Fatalf("callback: %d to %q\n%s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body, se.logs)
		}
		u := se.user("sub-ann")
		if u == nil || u.Role != models.RoleManager || u.Email != "ann@example.com" || u.Name != "Ann Lee" || u.SSOIssuer != se.op.Issuer || u.PasswordHash != "" {
			t.Fatalf("stored account: %+v", u)
		}
		if me := se.signedInAs(c); me == nil || me.ID != u.ID {
			t.Fatalf("signed in as %+v, want %d", me, u.ID)
		}
		// An account with no password is not offered a password change.
		if acc := c.get("/account").Doc(t); acc.Find(`[data-testid="account-sso"]`).Length() != 1 || acc.Find(`[data-testid="change-password"]`).Length() != 0 {
			t.Errorf("the account page of an SSO user: no SSO note, or a password form")
		}
		admin := models.User{Name: "Root", Email: "root@example.com", Role: models.RoleAdmin}
		if err := models.CreateUser(context.Background(), se.db, &admin, "a long local password", nil, se.now); err != nil {
			t.Fatal(err)
		}
		ac := se.client()
		ac.loginAs("root@example.com", "a long local password")
		if got := ac.get(fmt.Sprintf("/users/%d", u.ID)).Doc(t).Find(`[data-testid="user-sso"]`).Text(); !strings.Contains(got, se.op.Issuer) {
			t.Errorf("the users page does not say the account signs in through SSO: %q", got)
		}
		var created int64
		se.db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND action = ?", "user", u.ID, "create").Count(&created)
		if created == 0 {
			t.Errorf("the account's creation is not in the history")
		}
		logs := se.logs.String()
		if !strings.Contains(logs, `msg="sso sign-in"`) || !strings.Contains(logs, "created=true") {
			t.Errorf("the sign-in is not logged:\n%s", logs)
		}
		// A token is a JWT: "eyJ" then its header up to a dot (a random
		// request id may hold the three letters alone).
		if regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.`).MatchString(logs) || strings.Contains(logs, se.op.ClientSecret) || strings.Contains(logs, "code=") {
			t.Errorf("a token or the client secret is in the log:\n%s", logs)
		}
		// The pending sign-in is single use: the very same callback (the real
		// state and code) again is refused, as no sign-in pending here.
		before := se.logs.Len()
		if r := c.get(back); r.StatusCode != http.StatusForbidden {
			t.Errorf("the callback replayed: %d", r.StatusCode)
		}
		if got := se.logs.String()[before:]; !strings.Contains(got, "no sign-in was begun in this browser") {
			t.Errorf("the replay is not refused as no sign-in pending:\n%s", got)
		}
	})
}

// The role is the highest the claim's values map to, read again at every
// sign-in (through the users' audited write); nothing unmapped gives more
// than executive.
func TestSSORoleMappingReadAtEverySignIn(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-bo", Email: "bo@example.com", EmailVerified: true, Name: "Bo",
			Groups: []string{"portfolio-execs", "portfolio-admins", "portfolio-managers"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-admin2", Email: "second@example.com", Name: "Second admin",
			Groups: []string{"portfolio-admins"}, Password: "pw"})
		se.ssoSignIn(se.client(), "", "second@example.com", "pw") // so that Bo is not the last admin
		if r := se.ssoSignIn(se.client(), "", "bo@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d\n%s", r.StatusCode, se.logs)
		}
		if u := se.user("sub-bo"); u.Role != models.RoleAdmin {
			t.Fatalf("several mapped values: role %s, want the highest (admin)", u.Role)
		}
		se.op.SetGroups("sub-bo", "portfolio-execs")
		c := se.client()
		se.ssoSignIn(c, "", "bo@example.com", "pw")
		u := se.user("sub-bo")
		if u.Role != models.RoleExecutive {
			t.Fatalf("after the provider's change: role %s, want executive", u.Role)
		}
		var ch models.Change
		if err := se.db.Where("entity = ? AND entity_id = ? AND field = ?", "user", u.ID, "role").Order("id DESC").First(&ch).Error; err != nil || ch.Old != models.RoleAdmin || ch.New != models.RoleExecutive {
			t.Errorf("the role change's history: %+v, %v", ch, err)
		}
		if !strings.Contains(se.logs.String(), "role_was=admin") {
			t.Errorf("the role change is not logged")
		}
		// An executive changes nothing.
		if r := c.post("/settings", url.Values{"_csrf": {c.csrf("/account")}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("an executive mapped by SSO posts settings: %d", r.StatusCode)
		}
	})
}

// Least privilege: a user none of whose values is mapped is an executive,
// or refused where the administrator says so; never admin.
func TestSSOLeastPrivilege(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-cy", Email: "cy@example.com", Groups: []string{"everyone"}, Password: "pw"})
		se.op.AddUser(oidctest.User{Subject: "sub-di", Email: "di@example.com", Password: "pw"}) // no groups claim at all
		for _, sub := range []string{"cy", "di"} {
			if r := se.ssoSignIn(se.client(), "", sub+"@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", sub, r.StatusCode)
			}
			if u := se.user("sub-" + sub); u.Role != models.RoleExecutive {
				t.Errorf("%s unmapped: role %s, want executive", sub, u.Role)
			}
		}
	})
	eachSSO(t, handlers.SSO{Unmapped: sso.UnmappedRefuse}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-ed", Email: "ed@example.com", Groups: []string{"everyone"}, Password: "pw"})
		c := se.client()
		r := se.ssoSignIn(c, "", "ed@example.com", "pw")
		if r.StatusCode != http.StatusForbidden || se.user("sub-ed") != nil || se.signedInAs(c) != nil {
			t.Fatalf("unmapped in refuse mode: %d, account %+v", r.StatusCode, se.user("sub-ed"))
		}
		if !strings.Contains(se.logs.String(), "sso sign-in refused") || !strings.Contains(se.logs.String(), "no value of the role claim is mapped") {
			t.Errorf("the refusal is not logged with its reason:\n%s", se.logs)
		}
	})
}

// An ID token that is not exactly right is refused: another nonce, issuer
// or audience, expired on the app's clock, or signed by a key the provider
// never published; so is a callback whose state is not the pending one's.
func TestSSORefusesBadIDTokens(t *testing.T) {
	cases := map[string]struct {
		tamper func(map[string]any)
		forge  bool
		reason string
	}{
		"wrong nonce":    {tamper: func(c map[string]any) { c["nonce"] = "another-nonce" }, reason: "nonce mismatch"},
		"wrong issuer":   {tamper: func(c map[string]any) { c["iss"] = "http://127.0.0.1:1/elsewhere" }, reason: "issued by a different provider"},
		"wrong audience": {tamper: func(c map[string]any) { c["aud"] = []string{"another-client"} }, reason: "audience"},
		"expired": {tamper: func(c map[string]any) {
			c["exp"] = dbtest.Now().Add(-time.Minute).Unix()
			c["iat"] = dbtest.Now().Add(-time.Hour).Unix()
		}, reason: "expired"},
		"forged signature": {tamper: func(map[string]any) {}, forge: true, reason: "signature"},
	}
	for _, k := range dbtest.Kinds() {
		t.Run(k, func(t *testing.T) {
			se := newSSOEnv(t, dbtest.Open(t, k), handlers.SSO{})
			se.op.AddUser(oidctest.User{Subject: "sub-fay", Email: "fay@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw"})
			for name, tc := range cases {
				t.Run(name, func(t *testing.T) {
					se.op.Tamper(tc.tamper, tc.forge)
					defer se.op.Tamper(nil, false)
					c := se.client()
					before := len(se.logs.String())
					r := se.ssoSignIn(c, "", "fay@example.com", "pw")
					if r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
						t.Fatalf("%s: %d, signed in as %+v", name, r.StatusCode, se.signedInAs(c))
					}
					if !strings.Contains(strings.ToLower(se.logs.String()[before:]), tc.reason) {
						t.Errorf("the log does not give the reason %q:\n%s", tc.reason, se.logs)
					}
				})
			}
			if se.user("sub-fay") != nil {
				t.Errorf("a refused token made an account")
			}
			// The untampered token signs in: the cases above failed for their reason alone.
			if r := se.ssoSignIn(se.client(), "", "fay@example.com", "pw"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("the untampered sign-in: %d\n%s", r.StatusCode, se.logs)
			}
			t.Run("state mismatch", func(t *testing.T) {
				c := se.client()
				r := c.get("/login/oidc")
				q, _ := url.Parse(r.Header.Get("Location"))
				// Another browser's callback (an attacker's code and state) is refused here.
				before := se.logs.Len()
				if r := c.get("/login/oidc/callback?code=attackers-code&state=not-" + q.Query().Get("state")); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
					t.Fatalf("a callback with another state: %d", r.StatusCode)
				}
				if !strings.Contains(se.logs.String()[before:], "state mismatch") {
					t.Errorf("not logged as a state mismatch")
				}
			})
		})
	}
}

// An account is found by the provider's subject, not by email: an identity
// with another subject but the same email cannot take the account over.
func TestSSOSubjectVersusEmailTakeoverRefused(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-gil", Email: "gil@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw"})
		se.ssoSignIn(se.client(), "", "gil@example.com", "pw")
		gil := se.user("sub-gil")
		// Someone else at the provider now has gil's email (changed, verified).
		se.op.AddUser(oidctest.User{Subject: "sub-mallory", Email: "gil@example.com", EmailVerified: true, Groups: []string{"portfolio-admins"}, Password: "pw2"})
		c := se.client()
		if r := se.ssoSignIn(c, "", "gil@example.com", "pw2"); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil || !strings.Contains(r.Body, "An account with this email already exists") {
			t.Fatalf("another subject with the same email: %d\n%s", r.StatusCode, r.Body)
		}
		if u := se.user("sub-gil"); u.ID != gil.ID || se.user("sub-mallory") != nil {
			t.Errorf("the account changed hands: %+v", u)
		}
		if !strings.Contains(se.logs.String(), "linked to another single sign-on identity") {
			t.Errorf("the takeover is not logged:\n%s", se.logs)
		}
	})
}

// A disabled account stays disabled whatever the provider says.
func TestSSODisabledAccountRefused(t *testing.T) {
	eachSSO(t, handlers.SSO{}, func(t *testing.T, se *ssoEnv) {
		se.op.AddUser(oidctest.User{Subject: "sub-ivy", Email: "ivy@example.com", Groups: []string{"portfolio-managers"}, Password: "pw"})
		se.ssoSignIn(se.client(), "", "ivy@example.com", "pw")
		u := se.user("sub-ivy")
		if err := models.SetDisabled(context.Background(), se.db, u, true, nil, se.now); err != nil {
			t.Fatal(err)
		}
		c := se.client()
		if r := se.ssoSignIn(c, "", "ivy@example.com", "pw"); r.StatusCode != http.StatusForbidden || se.signedInAs(c) != nil {
			t.Fatalf("a disabled account: %d", r.StatusCode)
		}
		if u := se.user("sub-ivy"); !u.Disabled || u.Role != models.RoleManager {
			t.Errorf("the disabled account changed: %+v", u)
		}
		if !strings.Contains(se.logs.String(), "account is disabled") {
			t.Errorf("not logged as disabled:\n%s", se.logs)
		}
	})
}

// --local-login: on lets every password in, admin-only administrators only
// (with the same answer as a wrong password for anyone else), off nobody,
// and its sign-in page has no password form.
func TestSSOLocalLoginModes(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	ctx := context.Background()
	for _, u := range []models.User{{Name: "Admin", Email: "root@example.com", Role: models.RoleAdmin}, {Name: "Mo", Email: "mo@example.com", Role: models.RoleManager}} {
		if err := models.CreateUser(ctx, db, &u, "a long local password", nil, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(t *testing.T, se *ssoEnv, email string) int {
		c := se.client()
		// The token as htmx sends it: the sign-in page may have no form.
		hdr, _ := c.get("/login").Doc(t).Find("body").Attr("hx-headers")
		var tok struct {
			Token string `json:"X-CSRF-Token"`
		}
		if json.Unmarshal([]byte(hdr), &tok) != nil || tok.Token == "" {
			t.Fatalf("no CSRF token on the sign-in page: %q", hdr)
		}
		return c.post("/login", url.Values{"_csrf": {tok.Token}, "email": {email}, "password": {"a long local password"}}).StatusCode
	}
	for _, tc := range []struct {
		mode          string
		admin, manger int
		form          bool
	}{
		{handlers.LocalOn, http.StatusSeeOther, http.StatusSeeOther, true},
		{handlers.LocalAdminOnly, http.StatusSeeOther, http.StatusUnauthorized, true},
		{handlers.LocalOff, http.StatusForbidden, http.StatusForbidden, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			se := newSSOEnv(t, db, handlers.SSO{LocalLogin: tc.mode})
			page := se.client().get("/login").Doc(t)
			if got := page.Find(`form[action="/login"]`).Length() > 0; got != tc.form {
				t.Errorf("password form shown: %v, want %v", got, tc.form)
			}
			if page.Find(`[data-testid="sso-signin"]`).Length() != 1 {
				t.Errorf("no Sign in with … button")
			}
			if got := signIn(t, se, "root@example.com"); got != tc.admin {
				t.Errorf("admin's password: %d, want %d", got, tc.admin)
			}
			if got := signIn(t, se, "mo@example.com"); got != tc.manger {
				t.Errorf("manager's password: %d, want %d", got, tc.manger)
			}
		})
	}
}

// Signing out of a single sign-on session ends the local session and offers
// the provider's end-session address, hinting the ID token and coming back
// to the signed-out page.
func TestSSOSignOutOffersEndSession(t *testing.T) {
	se := newSSOEnv(t, dbtest.Open(t, "sqlite"), handlers.SSO{})
	se.op.AddUser(oidctest.User{Subject: "sub-jo", Email: "jo@example.com", Groups: []string{"portfolio-managers"}, Password: "pw"})
	c := se.client()
	se.ssoSignIn(c, "", "jo@example.com", "pw")
	r := c.post("/logout", url.Values{"_csrf": {c.csrf("/account")}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?out=1" {
		t.Fatalf("logout: %d to %s", r.StatusCode, r.Header.Get("Location"))
	}
	if se.signedInAs(c) != nil {
		t.Fatalf("still signed in after signing out")
	}
	link, ok := c.get("/login?out=1").Doc(t).Find(`[data-testid="sso-end-session"] a`).Attr("href")
	if !ok {
		t.Fatalf("the signed-out page offers no end-session link")
	}
	u, _ := url.Parse(link)
	if !strings.HasPrefix(link, se.op.Issuer+"/end_session?") || u.Query().Get("id_token_hint") == "" || u.Query().Get("post_logout_redirect_uri") != se.srv.URL+"/login?out=1" {
		t.Fatalf("end-session link: %s", link)
	}
	pc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := pc.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || loc != se.srv.URL+"/login?out=1" {
		t.Errorf("the provider's end session: %d to %s", res.StatusCode, loc)
	}
	// Offered once: the page again has no link.
	if c.get("/login?out=1").Doc(t).Find(`[data-testid="sso-end-session"]`).Length() != 0 {
		t.Errorf("the end-session link is offered again")
	}
}

// A provider that does not answer is said so on the sign-in page (and
// logged), and tried again at the next click.
func TestSSOProviderDown(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens there any more
	logs := &syncBuffer{}
	e := &env{t: t, db: db, now: dbtest.Now()}
	s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(logs, nil)), SessionKeys: testKeys, Now: func() time.Time { return e.now }})
	roles, _ := sso.ParseRoles(ssoRoles)
	handlers.New(s, db).SetSSO(handlers.SSO{Roles: roles, Client: websso.New(websso.Config{Issuer: down.URL, ClientID: "portfolio",
		RedirectURL: "http://127.0.0.1/login/oidc/callback", Name: "Down IdP", RoleClaim: "groups"}, dbtest.Now)})
	e.srv = httptest.NewServer(s.Echo)
	t.Cleanup(e.srv.Close)
	r := e.client().get("/login/oidc")
	if r.StatusCode != http.StatusBadGateway || !strings.Contains(r.Body, "Down IdP cannot be reached") {
		t.Fatalf("provider down: %d\n%s", r.StatusCode, r.Body)
	}
	if !strings.Contains(logs.String(), "sso: the provider cannot be reached") {
		t.Errorf("not logged:\n%s", logs)
	}
}
