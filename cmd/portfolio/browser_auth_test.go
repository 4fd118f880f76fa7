package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Sign in, see the dashboard, sign out, press Back: the browser must not show
// the private page again (it is sent with Cache-Control: no-store, and the
// session is over), but the sign-in page.
func TestBrowserSignOutThenBackShowsNoPrivatePage(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	do(t, ctx, "open the dashboard",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="heatmap"]`)))
	if who := text(t, ctx, `[data-testid="signed-in-as"]`); !strings.Contains(who, "Helen Marsh") || !strings.Contains(strings.ToLower(who), "executive") {
		t.Fatalf("header says %q", who)
	}
	checkAccessibility(t, ctx, "dashboard")

	do(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-notice"]`)))
	if got := text(t, ctx, `[data-testid="login-notice"]`); got != "You are signed out." {
		t.Errorf("after sign-out the page says %q", got)
	}
	checkAccessibility(t, ctx, "sign-in page")

	// history.back() rather than NavigateBack: a page restored from the back/forward
	// cache fires no load event, and that is exactly the failure to report.
	do(t, ctx, "press Back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	waitUntil(t, ctx, "the page Back leads to has loaded",
		`document.readyState === "complete" && !document.querySelector('[data-testid="login-notice"]')`)
	// Whatever the browser shows now must hold no private data.
	state := value(t, ctx, "read the page after Back", chromedp.Evaluate[map[string]any](`({
		path: location.pathname,
		signedIn: !!document.querySelector('[data-testid="signed-in-as"]'),
		heatmap: !!document.querySelector('[data-testid="heatmap"]'),
		signInForm: !!document.querySelector('form[action="/login"]'),
	})`))
	if state["signedIn"] == true || state["heatmap"] == true {
		t.Fatalf("Back after sign-out shows the private page: %v", state)
	}
	if state["signInForm"] != true || state["path"] != "/login" {
		t.Errorf("Back after sign-out: want the sign-in page, got %v", state)
	}

	// Signing in again from there returns to the page Back tried to show.
	do(t, ctx, "sign in again",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "executive@portfolio.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "demo-boardroom-2026"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="heatmap"]`)))
}

// An admin adds a user through the Users pages, with JavaScript doing nothing
// special: the form posts, the new account's page confirms it.
func TestBrowserAdminAddsUser(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "admin")
	do(t, ctx, "open Users from the navigation",
		chromedp.Click(chromedp.CSS(`nav[aria-label="Main"] a[href="/users"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="users-list"]`)))
	checkAccessibility(t, ctx, "users list")
	do(t, ctx, "add a user",
		chromedp.Click(chromedp.CSS(`[data-testid="add-user"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-new"]`)))
	checkAccessibility(t, ctx, "add-a-user form")
	do(t, ctx, "fill in and submit",
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Rosa Diaz"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "rosa.diaz@portfolio.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "copper lantern 88"),
		chromedp.SendKeys(chromedp.CSS(`#f-confirm`), "copper lantern 88"),
		chromedp.Click(chromedp.CSS(`[data-testid="user-new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-details"]`)))
	if h := text(t, ctx, `h1`); h != "Rosa Diaz" {
		t.Errorf("after adding, the page is %q", h)
	}
	if role := value(t, ctx, "role", chromedp.Evaluate[string](`document.querySelector('#f-role').value`)); role != "executive" {
		t.Errorf("a user added without choosing a role is %q, want executive", role)
	}
	checkAccessibility(t, ctx, "user page")
}

// Signed out in another tab, the register's next htmx request (a filter change)
// takes the whole page to sign-in instead of swapping a sign-in form into the
// table, and signing in returns to the register.
func TestBrowserExpiredSessionHTMXGoesToSignIn(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	do(t, ctx, "open the register",
		chromedp.Navigate(base+"/risks?status=open"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-register"]`)))

	other, cancel := chromedp.NewContext(ctx) // a second tab of the same browser: same cookies
	defer cancel()
	do(t, other, "sign out in another tab",
		chromedp.Navigate(base+"/account"),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-notice"]`)))

	do(t, ctx, "change a filter on the register (htmx)", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('form.filters select');
		s.selectedIndex = s.options.length - 1;
		s.dispatchEvent(new Event('change', {bubbles: true}));
	})()`))
	waitUntil(t, ctx, "the sign-in page", `location.pathname === "/login" && document.readyState === "complete"`)
	loc := value(t, ctx, "location", chromedp.Location())
	if !strings.Contains(loc, "next=%2Frisks") {
		t.Errorf("sign-in page %s does not remember the register", loc)
	}
	if n := value(t, ctx, "register fragments", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="risk-register"]').length`)); n != 0 {
		t.Errorf("the sign-in page holds %d register fragments", n)
	}
	do(t, ctx, "sign in again",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "manager@portfolio.example"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "demo-register-2026"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-register"]`)))
	if path := value(t, ctx, "path", chromedp.Evaluate[string](`location.pathname`)); path != "/risks" {
		t.Errorf("after signing in again the browser is at %s, want the register", path)
	}
}

// waitUntil evaluates expr until it is true, across navigations (which destroy
// the page's script context), failing after 20 seconds.
func waitUntil(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s (last error: %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
