package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// An executive opens the dashboard, clicks a heat-map cell and lands on the register filtered to it.
func TestBrowserHeatMapCellOpensFilteredRegister(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	do(t, ctx, "dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="heatmap"]`)))
	want := text(t, ctx, `[data-testid="heatmap"] td.cell a`)
	do(t, ctx, "click the first non-empty cell",
		chromedp.Click(chromedp.CSS(`[data-testid="heatmap"] td.cell a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="cell-filter"]`)))
	got := text(t, ctx, `[data-testid="risk-count"]`)
	if got != want+" matching risks" {
		t.Fatalf("cell said %s risks; the register says %q", want, got)
	}
}

// Every read page passes axe-core with no serious or critical violations:
// the sign-in page signed out, then each page an executive reads, and the 404 page.
func TestBrowserReadPagesAreAccessible(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)

	do(t, ctx, "sign-in page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)))
	checkAccessibility(t, ctx, "/login")

	signIn(t, ctx, base, "executive")
	// Detail pages are reached through the lists' own links, as a reader would.
	link := func(list, css string) string {
		t.Helper()
		do(t, ctx, "open "+list, chromedp.Navigate(base+list), chromedp.WaitVisible(chromedp.CSS(css)))
		a := value(t, ctx, "link on "+list, chromedp.AttributeValue(chromedp.CSS(css), "href"))
		if !a.Exists || a.Value == "" {
			t.Fatalf("%s: no link at %s", list, css)
		}
		return a.Value
	}
	const firstRow = `[data-testid="engagements-table"] tbody tr td:nth-child(2) a`
	pages := []string{
		"/",
		"/engagements",
		link("/engagements?model=ITO", firstRow),
		link("/engagements?model=BOT", firstRow),
		"/vendors",
		link("/vendors", `[data-testid="vendors-table"] tbody a`),
		"/risks",
		link("/risks", `[data-testid="risk-table"] tbody tr td:first-child a`),
		"/lessons",
	}
	for _, p := range pages {
		do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if p != "/" && strings.Contains(text(t, ctx, "main h1"), "not found") {
			t.Fatalf("%s: page not found", p)
		}
		checkAccessibility(t, ctx, p)
	}

	// The service-level pages: an engagement's (its results table scrolls
	// sideways) and the portfolio's missed service levels.
	do(t, ctx, "open an engagement's SLA page", chromedp.Navigate(base+"/engagements/"+itoID(t, ctx, base, firstRow)+"/slas"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	checkAccessibility(t, ctx, "an engagement's SLA page")
	do(t, ctx, "open /slas/breaches", chromedp.Navigate(base+"/slas/breaches"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	checkAccessibility(t, ctx, "/slas/breaches")

	do(t, ctx, "a missing engagement", chromedp.Navigate(base+"/engagements/999999"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-page"]`)))
	if h := text(t, ctx, "main h1"); h != "Page not found" {
		t.Fatalf("missing engagement: heading %q, want the 404 page", h)
	}
	checkAccessibility(t, ctx, "the 404 page")
}

// itoID reads the id of the first ITO engagement from the engagements list.
func itoID(t *testing.T, ctx context.Context, base, firstRow string) string {
	t.Helper()
	do(t, ctx, "open the ITO engagements", chromedp.Navigate(base+"/engagements?model=ITO"), chromedp.WaitVisible(chromedp.CSS(firstRow)))
	a := value(t, ctx, "first ITO engagement", chromedp.AttributeValue(chromedp.CSS(firstRow), "href"))
	return strings.TrimPrefix(a.Value, "/engagements/")
}

// Every form an admin opens passes axe-core, and so do the SLA pages, and a
// form re-rendered with its errors beside the fields.
func TestBrowserFormPagesAreAccessible(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	ids := lookupDemoIDs(t, a.db)
	signIn(t, ctx, base, models.RoleAdmin)
	pages := append(formPages(ids, testToday()),
		fmt.Sprintf("/engagements/%d/slas", ids.ito), "/slas/breaches", fmt.Sprintf("/engagements/%d/readiness", ids.bot))
	for _, p := range pages {
		do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if strings.Contains(text(t, ctx, "main h1"), "not found") {
			t.Fatalf("%s: page not found", p)
		}
		checkAccessibility(t, ctx, p+" as admin")
	}

	do(t, ctx, "save a vendor with no name",
		chromedp.Navigate(base+"/vendors/new"), chromedp.WaitVisible(chromedp.CSS(`main h1`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-errors"]`)))
	checkAccessibility(t, ctx, "the vendor form re-rendered with its errors")
}

// On a phone (375 px) tables scroll sideways: every read page, as a manager,
// still passes axe-core (scrollable-region-focusable above all).
func TestBrowserPhonePagesAreAccessible(t *testing.T) {
	ctx := browserWith(t, chromedp.WindowSize(375, 800))
	base, a := startTestApp(t)
	ids := lookupDemoIDs(t, a.db)
	signIn(t, ctx, base, models.RoleManager)
	for _, p := range readPages(ids, testToday()) {
		do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		checkAccessibility(t, ctx, p+" at 375 px")
	}
}

// engagementModels reads the model shown on each row of the engagements table.
const engagementModels = `[...document.querySelectorAll('[data-testid="engagements-table"] tbody tr td:nth-child(2) .muted')].map(e => e.textContent.trim())`

// Changing a filter swaps the table through htmx (the page is not reloaded)
// and the address bar follows, so the filtered list can be bookmarked.
func TestBrowserEngagementsFilterSwapsTableAndKeepsURL(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	do(t, ctx, "engagements", chromedp.Navigate(base+"/engagements"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagements-table"] tbody tr`)))
	before := value(t, ctx, "models before", chromedp.Evaluate[[]string](engagementModels))
	if !contains(before, "ITO") || !contains(before, "BOT") {
		t.Fatalf("the unfiltered list should hold both models, got %v", before)
	}
	// A marker on window survives an htmx swap but not a page load.
	do(t, ctx, "mark the page and choose BOT",
		chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`),
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="model"]`), "BOT"))
	do(t, ctx, "wait for the URL to follow",
		chromedp.Poll[chromedp.Void](`new URLSearchParams(location.search).get("model") === "BOT"`))
	do(t, ctx, "wait for the swapped table",
		chromedp.Poll[chromedp.Void](`(`+engagementModels+`).every(m => m === "BOT") && !document.querySelector("#engagements-table.htmx-request")`))

	after := value(t, ctx, "models after", chromedp.Evaluate[[]string](engagementModels))
	if len(after) == 0 || contains(after, "ITO") {
		t.Fatalf("after choosing BOT the table shows %v", after)
	}
	if !value(t, ctx, "marker", chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Fatal("the page was reloaded: the filter should swap the table through htmx")
	}
	loc := value(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Path != "/engagements" || u.Query().Get("model") != "BOT" {
		t.Fatalf("location %q should be /engagements with model=BOT", loc)
	}

	// The pushed URL is a real page: opening it afresh shows the same filtered list.
	do(t, ctx, "reload the filtered URL", chromedp.Navigate(loc),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagements-table"] tbody tr`)))
	reloaded := value(t, ctx, "models reloaded", chromedp.Evaluate[[]string](engagementModels))
	if len(reloaded) != len(after) || contains(reloaded, "ITO") {
		t.Fatalf("the bookmarked URL shows %v, the swapped table showed %v", reloaded, after)
	}
	if v := value(t, ctx, "model select", chromedp.Value(chromedp.CSS(`form.filters select[name="model"]`))); v != "BOT" {
		t.Fatalf("the model filter reads %q on the bookmarked URL, want BOT", v)
	}
}

// With JavaScript off the filter form is a plain GET form: Apply lands on the filtered URL.
func TestBrowserEngagementsFilterWorksWithoutJavaScript(t *testing.T) {
	ctx := browserWith(t, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	do(t, ctx, "engagements", chromedp.Navigate(base+"/engagements"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagements-table"] tbody tr`)))
	if scripts := value(t, ctx, "scripts", chromedp.Evaluate[bool](`typeof htmx !== "undefined"`)); scripts {
		t.Fatal("htmx loaded: JavaScript should be off in this browser")
	}
	do(t, ctx, "choose BOT and apply",
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="model"]`), "BOT"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		// The server marks the chosen option once the filtered page has loaded.
		chromedp.WaitReady(chromedp.CSS(`form.filters select[name="model"] option[value="BOT"][selected]`)))
	loc := value(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Path != "/engagements" || u.Query().Get("model") != "BOT" {
		t.Fatalf("location %q should be /engagements with model=BOT", loc)
	}
	models := value(t, ctx, "models", chromedp.Evaluate[[]string](engagementModels))
	if len(models) == 0 || contains(models, "ITO") {
		t.Fatalf("the filtered page shows models %v, want only BOT", models)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
