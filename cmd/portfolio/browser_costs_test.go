package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A manager records a month of costs for an engagement they manage, through
// the form (htmx), and sees the dashboard's savings figures change.
func TestBrowserManagerRecordsCostsAndDashboardChanges(t *testing.T) {
	ctx := browser(t)
	base := startApp(t)
	signIn(t, ctx, base, "manager")
	do(t, ctx, "dashboard before", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="fig-savings-ytd"]`)))
	ytdBefore := text(t, ctx, `[data-testid="fig-savings-ytd"] .figure-value`)
	quarterBefore := text(t, ctx, `[data-testid="fig-savings-quarter"] .figure-value`)

	do(t, ctx, "my engagements",
		chromedp.Navigate(base+"/engagements?mine=1&status=active"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagements-table"] tbody a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="engagements-table"] tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="record-costs"]`)))
	do(t, ctx, "open the cost form",
		chromedp.Click(chromedp.CSS(`[data-testid="record-costs"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#cost-form input[name="baseline"]`)))
	checkAccessibility(t, ctx, "the cost form")

	// First an invalid amount: the form swaps in place with the error and the input kept.
	month := testToday().Format("2006-01") // the demo records every month before this one
	do(t, ctx, "submit an invalid form",
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="month"]`), month),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="baseline"]`), "-10"),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="planned_savings"]`), "100"),
		chromedp.Click(chromedp.CSS(`#cost-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-baseline"]`)))
	if got := value(t, ctx, "kept baseline", chromedp.Value(chromedp.CSS(`#cost-form input[name="baseline"]`))); got != "-10" {
		t.Errorf("the invalid baseline was not kept: %q", got)
	}

	do(t, ctx, "record the month",
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="baseline"]`), "9,000,000.00"),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="vendor_fees"]`), "1,000.00"),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="retained"]`), "0"),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="one_off"]`), "0"),
		chromedp.SetValue(chromedp.CSS(`#cost-form input[name="credits"]`), "0"),
		chromedp.SetValue(chromedp.CSS(`#cost-form select[name="savings_type"]`), "hard"),
		chromedp.Click(chromedp.CSS(`#cost-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="cost-records"]`)))
	if flash := text(t, ctx, `#flash`); !strings.Contains(flash, "saved") && !strings.Contains(flash, "already recorded") {
		t.Errorf("flash after saving: %q", flash)
	}
	row := text(t, ctx, `[data-testid="cost-row"][data-month="`+month+`"]`)
	if !strings.Contains(row, "9,000,000.00") {
		t.Errorf("the month's row: %q", row)
	}

	do(t, ctx, "dashboard after", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="fig-savings-ytd"]`)))
	ytdAfter := text(t, ctx, `[data-testid="fig-savings-ytd"] .figure-value`)
	quarterAfter := text(t, ctx, `[data-testid="fig-savings-quarter"] .figure-value`)
	if ytdAfter == ytdBefore || quarterAfter == quarterBefore {
		t.Errorf("dashboard savings did not change: year to date %s → %s, quarter %s → %s", ytdBefore, ytdAfter, quarterBefore, quarterAfter)
	}
	t.Logf("hard savings year to date %s → %s; this quarter %s → %s", ytdBefore, ytdAfter, quarterBefore, quarterAfter)

	do(t, ctx, "savings page", chromedp.Navigate(base+"/savings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="breakdown-table"]`)))
	checkAccessibility(t, ctx, "the savings page")
}
