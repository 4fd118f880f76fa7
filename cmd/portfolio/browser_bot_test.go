package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// openEngagement finds an engagement by its code in the list and opens its page.
func openEngagement(t *testing.T, ctx context.Context, base, code string) {
	t.Helper()
	do(t, ctx, "find "+code,
		chromedp.Navigate(base+"/engagements?q="+code),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagements-table"] tbody a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="engagements-table"] tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagement-health"]`)))
}

// A manager records a month of service-level results for all of an
// engagement's service levels in the one form, and the engagement page then
// shows that month, the missed result marked, with a message saying what was saved.
func TestBrowserRecordMonthOfSLAResults(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	openEngagement(t, ctx, base, "ITO-INF-01")
	// The demo records every month before the current one: the current month
	// is the one not yet recorded. Column heads are upper-cased by the
	// stylesheet: compare without case.
	month := testToday().MonthStart()
	name, head := month.Format("January 2006"), strings.ToLower(month.Format("Jan 06"))
	if got := strings.ToLower(text(t, ctx, `[data-testid="slas"] thead`)); strings.Contains(got, head) {
		t.Fatalf("%s is already recorded: %q", name, got)
	}
	do(t, ctx, "open the monthly form",
		chromedp.Click(chromedp.CSS(`[data-testid="record-sla-results"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sla-results-form"]`)),
		// Mark the form shown first: it may already be for the month asked
		// for, and it stays on screen until the month's page replaces it.
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="sla-results-form"]').dataset.first = "1"`),
		chromedp.SetValue(chromedp.CSS(`input[name="month"][type="month"]`), month.Format("2006-01")),
		chromedp.Click(chromedp.CSS(`form[aria-label="Choose the month"] button`)))
	waitText(t, ctx, `[data-testid="sla-results-form"]:not([data-first]) #res-h`, "Results for "+name)
	do(t, ctx, "the month's form ready", chromedp.WaitVisible(chromedp.CSS(`[data-testid="save-results"]`)))
	if h := text(t, ctx, `#res-h`); h != "Results for "+name {
		t.Fatalf("form heading %q", h)
	}
	checkAccessibility(t, ctx, "the monthly results form")

	// Type each service level's target (met), except the first, which misses.
	lines := value(t, ctx, "count the lines", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="result-line"]').length`))
	if lines < 2 {
		t.Fatalf("%d service levels in the form", lines)
	}
	firstName := ""
	for i := 1; i <= lines; i++ {
		row := fmt.Sprintf(`[data-testid="result-line"]:nth-child(%d)`, i)
		target := strings.Fields(text(t, ctx, row+` td`)) // "≥ 99.9 %"
		v := target[1]
		if i == 1 {
			firstName = text(t, ctx, row+` th`)
			v = "0"
			if target[0] == "≤" {
				v = "99999"
			}
		}
		do(t, ctx, "type a result", chromedp.SendKeys(chromedp.CSS(row+` input.result-input`), v))
	}
	do(t, ctx, "note the miss", chromedp.SendKeys(chromedp.CSS(`[data-testid="result-line"]:nth-child(1) input[name^="note_"]`), "Outage on the 3rd"))
	do(t, ctx, "save the month",
		chromedp.Click(chromedp.CSS(`[data-testid="save-results"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagement-health"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .flash-success`)))
	want := fmt.Sprintf("Results for %s saved: %d met, 1 missed.", name, lines-1)
	if msg := text(t, ctx, `#flash .flash-success`); msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	// The engagement page now has the month, the first service level's result marked missed.
	if got := strings.ToLower(text(t, ctx, `[data-testid="slas"] thead`)); !strings.Contains(got, head) {
		t.Fatalf("the engagement page does not show %s: %q", name, got)
	}
	firstRow := text(t, ctx, `[data-testid="slas"] tbody tr:first-child th`)
	lastCell := value(t, ctx, "read the new cell", chromedp.Evaluate[string](
		`(() => { const cells = document.querySelectorAll('[data-testid="slas"] tbody tr:first-child td'); const c = cells[cells.length - 2]; return c.className + " " + c.textContent; })()`))
	if firstRow != firstName || !strings.Contains(lastCell, "missed") || !strings.Contains(lastCell, "✗") {
		t.Errorf("row %q, %s cell %q: want the miss marked", firstRow, name, lastCell)
	}
}

// A manager marks a transfer-checklist item done inline: the checklist swaps in
// place with the new readiness, and the engagement page shows it.
func TestBrowserUpdateTransferReadiness(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	openEngagement(t, ctx, base, "BOT-PL-02")
	before := text(t, ctx, `[data-testid="readiness-pct"]`)
	do(t, ctx, "open the checklist",
		chromedp.Click(chromedp.CSS(`[data-testid="readiness-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="readiness-checklist"]`)))
	checkAccessibility(t, ctx, "the readiness checklist")
	// The item not yet started with the smallest weight (listed last).
	item := `[data-testid="readiness-item"]:last-child`
	if status := text(t, ctx, item+` [data-testid="item-status"]`); status != "Not started" {
		t.Skipf("the last item is %q in the demo, not Not started", status)
	}
	area := text(t, ctx, item+` h3`)
	weight := text(t, ctx, item+` .item-head .muted`) // "· weight 5"
	value(t, ctx, "set the marker", chromedp.Evaluate[bool](`window.__keep = "same page"; true`))
	do(t, ctx, "mark it done",
		chromedp.SetValue(chromedp.CSS(item+` select[name="status"]`), "2"),
		chromedp.Click(chromedp.CSS(item+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="readiness-saved"]`)))
	if msg := text(t, ctx, `[data-testid="readiness-saved"]`); msg != area+" saved: Done." {
		t.Errorf("status line %q", msg)
	}
	if kept := value(t, ctx, "read the marker", chromedp.Evaluate[string](`window.__keep || ""`)); kept != "same page" {
		t.Fatal("the page reloaded: the checklist was not swapped in place")
	}
	var was, w float64
	fmt.Sscanf(strings.TrimSuffix(before, " %"), "%f", &was)
	fmt.Sscanf(strings.TrimPrefix(weight, "· weight "), "%f", &w)
	want := fmt.Sprintf("%.1f %%", was+w) // done adds the whole weight (the weights sum to 100)
	if got := text(t, ctx, `[data-testid="readiness-total"] .figure-value`); got != want {
		t.Errorf("readiness after the save %q, want %q (was %s, weight %v)", got, want, before, w)
	}
	openEngagement(t, ctx, base, "BOT-PL-02")
	if got := text(t, ctx, `[data-testid="readiness-pct"]`); got != want {
		t.Errorf("engagement page readiness %q, want %q", got, want)
	}
}
