package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/web"
)

// forEachDemo runs fn over the demo portfolio on every available database, with
// the app's server, handlers and log at hand.
func forEachDemo(t *testing.T, tweak func(*web.Options), fn func(t *testing.T, ae *appEnv)) {
	for _, k := range dbtest.Kinds() {
		t.Run(k, func(t *testing.T) { fn(t, newAppEnv(t, dbtest.Demo(t, k), tweak)) })
	}
}

// loginError is the message the sign-in page shows.
func loginError(t *testing.T, r resp) string {
	t.Helper()
	return strings.TrimSpace(r.Doc(t).Find(`[data-testid="login-error"]`).Text())
}

// Five wrong passwords, then back-off; an unknown email gets exactly the same
// answers, so the page reveals nothing about which accounts exist.
func TestSignInThrottling(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		exec := demoAccount(t, models.RoleExecutive)
		type answer struct {
			status int
			msg    string
		}
		attempts := func(email string) []answer {
			c := ae.client()
			var out []answer
			for i := 0; i < models.FreeFailures+2; i++ {
				r := c.signInAttempt(email, "not-the-password-at-all", "")
				out = append(out, answer{r.StatusCode, loginError(t, r)})
			}
			return out
		}
		known, unknown := attempts(exec.Email), attempts("nobody.here@portfolio.example")
		for i := range known {
			want := http.StatusUnauthorized
			if i >= models.FreeFailures {
				want = http.StatusTooManyRequests
			}
			if known[i].status != want {
				t.Errorf("attempt %d on a real account: %d, want %d", i+1, known[i].status, want)
			}
			if known[i] != unknown[i] {
				t.Errorf("attempt %d: a real account answers %+v, an unknown email %+v: the difference reveals the account", i+1, known[i], unknown[i])
			}
		}
		if got := known[models.FreeFailures].msg; got != "Too many failed attempts. Try again in 30 seconds." {
			t.Errorf("throttled message %q", got)
		}

		// During the back-off even the right password does not sign in.
		c := ae.client()
		if r := c.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right password while throttled: %d, want 429", r.StatusCode)
		}
		// After it, one more wrong password locks again, for twice as long.
		ae.now = ae.now.Add(31 * time.Second)
		if r := c.signInAttempt(exec.Email, "still-not-the-password", ""); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong password after the back-off: %d, want 401", r.StatusCode)
		}
		if r := c.signInAttempt(exec.Email, exec.Password, ""); !strings.Contains(loginError(t, r), "Try again in 60 seconds") {
			t.Errorf("second back-off: %d %q, want a minute", r.StatusCode, loginError(t, r))
		}
		// The right password after that works and clears the account's count.
		ae.now = ae.now.Add(61 * time.Second)
		if r := c.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("right password after the back-off: %d, want 303", r.StatusCode)
		}
		var n int64
		ae.db.Model(&models.LoginThrottle{}).Where("key = ?", "email:"+exec.Email).Count(&n)
		if n != 0 {
			t.Errorf("a successful sign-in left the account's failures counted")
		}
		// Failed and successful sign-ins are logged, with the reason only in the log.
		log := ae.log.String()
		for _, want := range []string{
			`msg="sign-in failed" email=` + exec.Email + ` reason="wrong password"`,
			`msg="sign-in failed" email=nobody.here@portfolio.example reason="unknown email"`,
			`msg="sign-in throttled"`, `msg=sign-in user_id=`} {
			if !strings.Contains(log, want) {
				t.Errorf("the log lacks %s", want)
			}
		}
	})
}

// One client address trying many accounts is slowed down too, and it cannot
// dodge that by claiming another address in X-Forwarded-For.
func TestSignInThrottlingPerAddress(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	c := ae.client()
	for i := 0; i < models.FreeAddressFailures; i++ {
		email := "guess" + string(rune('a'+i)) + "@portfolio.example" // a new account each time: no account lock
		r := c.do(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {c.csrf("/login")}, "email": {email}, "password": {"wrong-password-123"}}.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "203.0.113." + string(rune('1'+i%9))})
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, r.StatusCode)
		}
	}
	admin := demoAccount(t, models.RoleAdmin)
	if r := c.signInAttempt(admin.Email, admin.Password, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address: %d, want 429 for any account", models.FreeAddressFailures, r.StatusCode)
	}
	// Behind a trusted proxy the forwarded address counts instead.
	proxied := newAppEnv(t, ae.db, func(o *web.Options) { o.TrustProxy = true })
	pc := proxied.client()
	r := pc.do(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {pc.csrf("/login")}, "email": {admin.Email}, "password": {admin.Password}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "198.51.100.7"})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("from another address behind the proxy: %d, want 303", r.StatusCode)
	}
}

// setCookie finds a cookie the response sets.
func setCookie(t *testing.T, r resp, name string) *http.Cookie {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, r.Header.Values("Set-Cookie"))
	return nil
}

// The session and CSRF cookies are HttpOnly and SameSite=Lax, Secure when
// configured; HSTS is sent over TLS only.
func TestCookieFlags(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	exec := demoAccount(t, models.RoleExecutive)
	for _, secure := range []bool{false, true} {
		ae := newAppEnv(t, db, func(o *web.Options) { o.SecureCookies = secure })
		c := ae.client()
		r := c.post("/login", url.Values{"_csrf": {c.csrf("/login")}, "email": {exec.Email}, "password": {exec.Password}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", r.StatusCode)
		}
		for _, name := range []string{"portfolio"} { // the CSRF token lives in it
			k := setCookie(t, r, name)
			if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Path != "/" || k.Secure != secure {
				t.Errorf("secure=%v: cookie %s: HttpOnly=%v SameSite=%v Path=%q Secure=%v", secure, name, k.HttpOnly, k.SameSite, k.Path, k.Secure)
			}
		}
		if k := setCookie(t, r, "portfolio"); k.MaxAge <= 0 || k.MaxAge > int((12*time.Hour).Seconds()) {
			t.Errorf("session cookie Max-Age %d, want at most the absolute lifetime", k.MaxAge)
		}
		hsts := c.do(http.MethodGet, "/login", nil, map[string]string{"X-Forwarded-Proto": "https"}).Header.Get("Strict-Transport-Security")
		if secure != (hsts != "") {
			t.Errorf("secure=%v: Strict-Transport-Security %q", secure, hsts)
		}
	}
}

// Signing in replaces the CSRF token and the session: a token or cookie an
// attacker obtained before the victim signed in is worthless afterwards.
func TestSignInStartsAFreshSession(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	victim := ae.client()
	before := victim.csrf("/login")
	planted := ae.client() // the attacker's own anonymous cookies, planted in the victim's browser
	planted.csrf("/login")
	exec := demoAccount(t, models.RoleExecutive)
	victim.loginAs(exec.Email, exec.Password)
	after := victim.token()
	if after == before {
		t.Fatalf("the CSRF token survived sign-in (%q)", after)
	}
	r := victim.post("/account/password", url.Values{"_csrf": {before}, "current": {exec.Password}, "password": {"a new pass phrase 1"}, "confirm": {"a new pass phrase 1"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("a post with the pre-sign-in token: %d, want 403", r.StatusCode)
	}
	if planted.signedIn() {
		t.Errorf("the attacker's pre-sign-in cookies are signed in")
	}
}

// A session ends after two idle hours, and twelve hours after sign-in however
// busy; an htmx request then gets HX-Redirect to sign-in and comes back after.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		exec := demoAccount(t, models.RoleExecutive)
		c := ae.client()
		c.login(models.RoleExecutive)
		start := ae.now
		for _, step := range []time.Duration{119 * time.Minute, 119 * time.Minute} {
			ae.now = ae.now.Add(step)
			if r := c.get("/risks"); r.StatusCode != http.StatusOK {
				t.Fatalf("%s after sign-in, active: %d, want 200", ae.now.Sub(start), r.StatusCode)
			}
		}
		ae.now = ae.now.Add(121 * time.Minute)
		r := c.get("/risks?status=open")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Frisks%3Fstatus%3Dopen" {
			t.Fatalf("idle 2h01: %d to %q, want 303 to sign-in with next", r.StatusCode, r.Header.Get("Location"))
		}
		if msg := c.get(r.Header.Get("Location")).Body; !strings.Contains(msg, "Your session expired") {
			t.Errorf("the sign-in page does not say the session expired")
		}

		// Absolute lifetime: busy every 100 minutes, still out after 12 hours.
		c.loginAs(exec.Email, exec.Password)
		start = ae.now
		for ae.now.Sub(start) < 12*time.Hour-100*time.Minute {
			ae.now = ae.now.Add(100 * time.Minute)
			if r := c.get("/"); r.StatusCode != http.StatusOK {
				t.Fatalf("%s after sign-in: %d, want 200", ae.now.Sub(start), r.StatusCode)
			}
		}
		ae.now = start.Add(12*time.Hour + time.Minute)
		hx := c.do(http.MethodGet, "/risks?page=2", nil, map[string]string{"HX-Request": "true", "HX-Current-URL": ae.srv.URL + "/risks?status=open"})
		if hx.StatusCode != http.StatusUnauthorized || hx.Header.Get("HX-Redirect") != "/login?next=%2Frisks%3Fstatus%3Dopen" {
			t.Fatalf("htmx after 12h01: %d HX-Redirect=%q, want 401 to sign-in, back to the page (not the fragment)", hx.StatusCode, hx.Header.Get("HX-Redirect"))
		}
		if strings.Contains(hx.Body, "<form") {
			t.Errorf("the htmx answer carries a form to swap into the page")
		}
		r = c.signInAttempt(exec.Email, exec.Password, "/risks?status=open")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/risks?status=open" {
			t.Errorf("sign-in with next: %d to %q, want back to /risks?status=open", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

// After sign-in the user goes to next only when it is a path on this site.
func TestSignInNextIsLocalOnly(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	exec := demoAccount(t, models.RoleExecutive)
	for next, want := range map[string]string{
		"//evil.example":               "/",
		"//evil.example/risks":         "/",
		"https://evil.example":         "/",
		"http:evil.example":            "/",
		"/\\evil.example":              "/",
		"\\\\evil.example":             "/",
		"/\t/evil.example":             "/",
		"/%0d%0aSet-Cookie:x=1":        "/%0d%0aSet-Cookie:x=1", // still encoded: a harmless local path
		"/\r\nSet-Cookie: x=1":         "/",
		"javascript:alert(1)":          "/",
		" javascript:alert(1)":         "/",
		"evil.example":                 "/",
		"":                             "/",
		"/risks?status=open&band=High": "/risks?status=open&band=High",
		"/engagements/3":               "/engagements/3",
	} {
		c := ae.client()
		page := c.get("/login?next=" + url.QueryEscape(next))
		if v, _ := page.Doc(t).Find(`input[name="next"]`).Attr("value"); v != want {
			t.Errorf("next=%q: the form carries %q, want %q", next, v, want)
		}
		r := c.signInAttempt(exec.Email, exec.Password, next)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want %q", next, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
}

// carry copies the session and CSRF cookies of one client into another, as a
// load balancer sends one browser to different instances.
func carry(t *testing.T, from, to *client) {
	t.Helper()
	u, _ := url.Parse(to.e.srv.URL)
	var ks []*http.Cookie
	for _, name := range []string{"portfolio", "_csrf"} {
		if v := from.cookie(name); v != "" {
			ks = append(ks, &http.Cookie{Name: name, Value: v, Path: "/"})
		}
	}
	if len(ks) == 0 {
		t.Fatal("no cookies to carry")
	}
	to.http.Jar.SetCookies(u, ks)
}

// A cookie made with the old key is accepted while the old key is still listed
// (second); once it is dropped, the user signs in again.
func TestSessionKeyRotation(t *testing.T) {
	t.Parallel()
	db := dbtest.Demo(t, "sqlite")
	oldKeys := web.KeyPair([]byte("the-old-session-secret-0123456789"))
	newKeys := web.KeyPair([]byte("the-new-session-secret-9876543210"))
	before := newAppEnv(t, db, func(o *web.Options) { o.SessionKeys = oldKeys })
	c := before.client()
	c.login(models.RoleManager)

	rotated := newAppEnv(t, db, func(o *web.Options) { o.SessionKeys = append(append([][]byte{}, newKeys...), oldKeys...) })
	rc := rotated.client()
	carry(t, c, rc)
	if r := rc.get("/account"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, demoAccount(t, models.RoleManager).Email) {
		t.Fatalf("old-key cookie with the old key listed second: %d, want the account page", r.StatusCode)
	}
	// A cookie the rotated server writes is under the new key: it survives the old key's removal.
	fresh := rotated.client()
	fresh.login(models.RoleExecutive)

	dropped := newAppEnv(t, db, func(o *web.Options) { o.SessionKeys = newKeys })
	dc := dropped.client()
	carry(t, c, dc)
	if r := dc.get("/account"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("old-key cookie after the old key is dropped: %d, want 303 to sign-in", r.StatusCode)
	}
	fc := dropped.client()
	carry(t, fresh, fc)
	if !fc.signedIn() {
		t.Errorf("a cookie written under the new key is refused by the new key alone")
	}
}

// Two instances over one database with the same keys accept each other's
// sessions; signing out on one ends the session on the other.
func TestTwoInstancesShareSessions(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			a, b := newAppEnv(t, db, nil), newAppEnv(t, db, nil)
			ca, cb := a.client(), b.client()
			ca.login(models.RoleManager)
			carry(t, ca, cb)
			r := cb.get("/account")
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc(t).Find(`[data-testid="signed-in-as"]`).Text(), "Priya Raman") {
				t.Fatalf("instance B with A's cookie: %d, want signed in as the manager", r.StatusCode)
			}
			// A form from A posts to B: the CSRF token is not bound to an instance.
			tok := ca.token()
			r = cb.post("/account/password", url.Values{"_csrf": {tok}, "current": {"wrong"}, "password": {"x"}, "confirm": {"x"}})
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("A's form posted to B: %d, want 422 (checked, not refused)", r.StatusCode)
			}
			// Sign out on B; A no longer accepts the same cookie.
			if r := cb.post("/logout", url.Values{"_csrf": {cb.token()}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-out on B: %d", r.StatusCode)
			}
			if ca.signedIn() {
				t.Errorf("instance A still accepts a session signed out on B")
			}
		})
	}
}

// Signing out ends every session of the user, on any device: a copied cookie
// stops working too.
func TestSignOutEndsEverySession(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	laptop, phone := ae.client(), ae.client()
	laptop.login(models.RoleExecutive)
	phone.login(models.RoleExecutive)
	stolen := ae.client()
	carry(t, laptop, stolen)
	r := laptop.post("/logout", url.Values{"_csrf": {laptop.token()}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?out=1" {
		t.Fatalf("sign-out: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if k := setCookie(t, r, "portfolio"); k.MaxAge >= 0 {
		t.Errorf("sign-out does not delete the cookie (Max-Age %d)", k.MaxAge)
	}
	if !strings.Contains(laptop.get("/login?out=1").Body, "You are signed out.") {
		t.Errorf("the sign-in page does not confirm the sign-out")
	}
	for name, c := range map[string]*client{"laptop": laptop, "phone": phone, "copied cookie": stolen} {
		if c.signedIn() {
			t.Errorf("%s: still signed in after sign-out", name)
		}
	}
	// Signing in again after a sign-out works at once (same instant on the test clock).
	laptop.login(models.RoleExecutive)
	if !laptop.signedIn() {
		t.Errorf("cannot sign in again right after signing out")
	}
}

// A disabled account's live session stops at its next request, and it cannot
// sign in (with the same answer as a wrong password); enabled again, it can.
func TestDisabledAccount(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		exec := demoAccount(t, models.RoleExecutive)
		victim := ae.client()
		victim.login(models.RoleExecutive)
		admin := ae.client()
		admin.login(models.RoleAdmin)
		u := userByEmail(t, ae.db, exec.Email)
		r := admin.post("/users/"+itoa(u.ID)+"/disable", url.Values{"_csrf": {admin.token()}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", r.StatusCode, r.Body)
		}
		if r := victim.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the disabled account's live session: %d, want 303 to sign-in", r.StatusCode)
		}
		r = ae.client().signInAttempt(exec.Email, exec.Password, "")
		if r.StatusCode != http.StatusUnauthorized || loginError(t, r) != "That email and password do not match an active account." {
			t.Errorf("sign-in to a disabled account: %d %q", r.StatusCode, loginError(t, r))
		}
		if !strings.Contains(ae.log.String(), `reason="account disabled"`) {
			t.Errorf("the log does not say the account is disabled")
		}
		if r := admin.post("/users/"+itoa(u.ID)+"/enable", url.Values{"_csrf": {admin.token()}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", r.StatusCode)
		}
		victim.login(models.RoleExecutive)
		if !victim.signedIn() {
			t.Errorf("an enabled account cannot sign in")
		}
	})
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// The CSRF token is bound to the session: another session's token, even with
// a cookie planted to match it (a sibling subdomain can set cookies), is
// refused, and nothing is changed.
func TestCSRFTokenIsTheSessions(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	attacker, victim := ae.client(), ae.client()
	known := attacker.csrf("/login")
	exec := demoAccount(t, models.RoleExecutive)
	victim.loginAs(exec.Email, exec.Password)
	u, _ := url.Parse(victim.e.srv.URL)
	victim.http.Jar.SetCookies(u, []*http.Cookie{{Name: "_csrf", Value: known, Path: "/"}})
	r := victim.post("/account/password", url.Values{"_csrf": {known}, "current": {exec.Password}, "password": {"a planted pass phrase 1"}, "confirm": {"a planted pass phrase 1"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("a post with another session's token: %d, want 403", r.StatusCode)
	}
	if !victim.signedIn() {
		t.Error("the refused post changed the victim's password (their session ended)")
	}
}

// Someone who knows an account's email can lock it for every browser, and keep
// it locked with a request every quarter of an hour; but not for a browser that
// has signed in to it before: that one counts against its own device's limit,
// and its owner signs in.
func TestLockOutByOthersSparesKnownBrowsers(t *testing.T) {
	t.Parallel()
	forEachDemo(t, nil, func(t *testing.T, ae *appEnv) {
		exec := demoAccount(t, models.RoleExecutive)
		owner := ae.client()
		if r := owner.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d", r.StatusCode)
		}
		owner.post("/logout", url.Values{"_csrf": {owner.token()}})

		attacker := ae.client()
		for range 3 { // the lock renewed over 45 minutes
			for range models.FreeFailures + 2 {
				attacker.signInAttempt(exec.Email, "guess-guess-guess", "")
			}
			ae.now = ae.now.Add(15 * time.Minute)
		}
		for range models.FreeFailures + 2 {
			attacker.signInAttempt(exec.Email, "guess-guess-guess", "")
		}
		stranger := ae.client() // a browser that never signed in to the account
		if r := stranger.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right password from a new browser while the account is locked: %d, want 429", r.StatusCode)
		}
		if r := owner.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusSeeOther || !owner.signedIn() {
			t.Fatalf("the owner's browser while someone else locks the account: %d, want 303", r.StatusCode)
		}
		// The known browser is still limited: guessing from it locks it alone.
		owner.post("/logout", url.Values{"_csrf": {owner.token()}})
		for range models.FreeFailures {
			owner.signInAttempt(exec.Email, "not-it-either", "")
		}
		if r := owner.signInAttempt(exec.Email, exec.Password, ""); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a known browser past its own limit: %d, want 429", r.StatusCode)
		}
		// Its cookie names its account: for another account it counts as a stranger.
		mgr := demoAccount(t, models.RoleManager)
		var emailKey int64
		owner.signInAttempt(mgr.Email, "wrong-wrong-wrong", "")
		ae.db.Model(&models.LoginThrottle{}).Where("key = ?", "email:"+mgr.Email).Count(&emailKey)
		if emailKey != 1 {
			t.Errorf("a known browser's attempt on another account was not counted against that account")
		}
	})
}
