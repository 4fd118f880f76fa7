package main

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
	"portfolio/models/sqlstore"
	"portfolio/web/sso/oidctest"
)

// startSSOApp runs the app as `portfolio serve` would, on testToday, with
// single sign-on through a real provider started for the test (on the same
// clock) and the settings in args; no demo portfolio. It returns the app's
// address and the provider, which knows one manager, kim@example.com.
func startSSOApp(t *testing.T, args ...string) (string, *oidctest.Provider) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	p := oidctest.Start(t, models.ClockAt(testToday()).Now)
	p.Register(base+"/login/oidc/callback", base+"/login?out=1")
	p.AddUser(oidctest.User{Subject: "sub-kim", Email: "kim@example.com", EmailVerified: true, Name: "Kim Park",
		Groups: []string{"portfolio-managers"}, Password: "provider-pass"})
	env := map[string]string{"PORTFOLIO_OIDC_CLIENT_SECRET": p.ClientSecret, "PORTFOLIO_OIDC_ROLES": "portfolio-admins=admin,portfolio-managers=manager"}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c := bindConfig(fs, func(k string) string { return env[k] })
	if err := fs.Parse(append([]string{"--data", t.TempDir(), "--log-level", "error", "--today", testToday().String(), "--demo=false",
		"--oidc-issuer", p.Issuer, "--oidc-client-id", p.ClientID, "--oidc-redirect-url", base + "/login/oidc/callback",
		"--oidc-name", "Test IdP"}, args...)); err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.handler}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		sqlstore.Close(a.db)
	})
	return base, p
}

// A person clicks "Sign in with Test IdP", signs in on the provider's own
// page and lands on the dashboard as the manager their group makes them;
// signing out offers the provider's end-session link, which comes back.
func TestBrowserSSOSignIn(t *testing.T) {
	ctx := browser(t)
	base, _ := startSSOApp(t, "--local-login", "admin-only")
	do(t, ctx, "open the app",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sso-signin"]`)))
	if got := text(t, ctx, `[data-testid="sso-signin"]`); got != "Sign in with Test IdP" {
		t.Fatalf("the button reads %q", got)
	}
	// admin-only: the password form is folded away for administrators.
	if visible := value(t, ctx, "password form", chromedp.Evaluate[bool](
		`document.querySelector('input[name="password"]').checkVisibility()`)); visible {
		t.Errorf("the password form is open in admin-only mode")
	}
	checkAccessibility(t, ctx, "/login with single sign-on")

	do(t, ctx, "sign in at the provider",
		chromedp.Click(chromedp.CSS(`[data-testid="sso-signin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "kim@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "provider-pass"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-as"]`)))
	if got := text(t, ctx, `[data-testid="signed-in-as"]`); !strings.Contains(got, "Kim Park") || !strings.Contains(strings.ToLower(got), models.RoleManager) {
		t.Errorf("signed in as %q, want Kim Park, manager", got)
	}
	if loc := value(t, ctx, "location", chromedp.Location()); loc != base+"/" {
		t.Errorf("landed on %s, want the dashboard", loc)
	}
	do(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sso-end-session"] a`)))
	do(t, ctx, "sign out at the provider too",
		chromedp.Click(chromedp.CSS(`[data-testid="sso-end-session"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-notice"]`)))
	if loc := value(t, ctx, "location", chromedp.Location()); loc != base+"/login?out=1" {
		t.Errorf("the provider sent the browser back to %s", loc)
	}
}

// ssoWebClient signs a webClient in through the provider, following its
// redirects by hand as a browser would.
func ssoWebClient(t *testing.T, base string, p *oidctest.Provider, email, password string) *webClient {
	t.Helper()
	w := newWebClient(t, base)
	follow := func(r *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode/100 != 3 {
			t.Fatalf("%s: status %d", r.Request.URL, r.StatusCode)
		}
		u, err := r.Request.URL.Parse(r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	at := follow(w.c.Get(base + "/login/oidc"))
	login := follow(w.c.Get(at))
	lu, _ := url.Parse(login)
	back := follow(w.c.PostForm(p.Issuer+"/login", url.Values{"id": {lu.Query().Get("authRequestID")}, "username": {email}, "password": {password}}))
	back = follow(w.c.Get(back))
	if to := follow(w.c.Get(back)); to != base+"/" {
		t.Fatalf("signed in, sent to %s", to)
	}
	return w
}
