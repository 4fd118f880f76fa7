package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
)

// The browser tier: the whole app on 127.0.0.1 driven by Debian's Chromium.
// These tests skip where Chromium is absent, and fail instead when
// PORTFOLIO_REQUIRE_BROWSER=1 (CI sets it).

//go:embed testdata/axe-4.14.1.min.js
var axeSource string

const chromiumPath = "/usr/bin/chromium"

// testToday is the day the app under test runs on (dbtest.Today:
// PORTFOLIO_TEST_TODAY, or the machine's date).
func testToday() models.Date { return dbtest.Today() }

// newTestApp assembles the app as `portfolio serve` would, over a fresh data
// directory with the demo portfolio, on testToday.
func newTestApp(t *testing.T) *app {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c := bindConfig(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--data", t.TempDir(), "--log-level", "error", "--today", testToday().String()}); err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// startApp runs the app over a fresh data directory with the demo portfolio,
// and returns its base URL.
func startApp(t *testing.T) string {
	t.Helper()
	base, _ := startTestApp(t)
	return base
}

// startTestApp is startApp that also returns the app, for tests that read its database.
func startTestApp(t *testing.T) (string, *app) {
	t.Helper()
	a := newTestApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.handler}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		sqlstore.Close(a.db)
	})
	return "http://" + ln.Addr().String(), a
}

// browser starts a headless Chromium with a fresh profile and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWith(t)
}

// browserWith is browser with extra Chromium options, e.g.
// chromedp.Flag("blink-settings", "scriptEnabled=false") for a browser without JavaScript.
func browserWith(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("PORTFOLIO_REQUIRE_BROWSER") == "1" {
			t.Fatalf("Chromium is required (PORTFOLIO_REQUIRE_BROWSER=1) but %s is missing: apt-get install chromium", chromiumPath)
		}
		t.Skipf("browser test skipped: %s not found (apt-get install chromium to run it)", chromiumPath)
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1440, 900)}
	opts = append(opts, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// do runs actions or fails the test, naming the step.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// value runs one action with a value or fails the test.
func value[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// signIn signs in with the demo account of a role and waits for the dashboard.
func signIn(t *testing.T, ctx context.Context, base, role string) {
	t.Helper()
	for _, a := range seed.DemoAccounts {
		if a.Role == role {
			do(t, ctx, "sign in as "+role,
				chromedp.Navigate(base+"/login"),
				chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
				chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), a.Email),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), a.Password),
				chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-as"]`)))
			return
		}
	}
	t.Fatalf("no demo account with role %s", role)
}

// axeViolation is what axe-core reports of one rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core on the current page and fails on serious or critical violations.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Fatalf("inject axe on %s: %v", page, err)
	}
	raw := value(t, ctx, "axe on "+page, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe result on %s: %v", page, err)
	}
	var bad bytes.Buffer
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			var at []any
			for _, n := range v.Nodes {
				at = append(at, n.Target...)
			}
			fmt.Fprintf(&bad, "  %s (%s): %s at %v\n", v.ID, v.Impact, v.Help, at)
		}
	}
	if bad.Len() > 0 {
		t.Errorf("accessibility violations on %s:\n%s", page, bad.String())
	}
}

// text reads an element's visible text.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return strings.TrimSpace(value(t, ctx, "read "+css, chromedp.Text(chromedp.CSS(css))))
}

// waitText waits (up to 15 s) until an element's text is want, riding out the
// page navigations in between (a form GET replaces the page under the query).
func waitText(t *testing.T, ctx context.Context, css, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		v, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(css)))
		cancel()
		if got = strings.TrimSpace(v); err == nil && got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s says %q, want %q", css, got, want)
}
