package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// A manager opens their engagement's obligations from its page, adds one
// (an evidence address that is not one answered in place, what they typed kept), and records
// its late occurrence met with evidence: the occurrence reads met, and the
// engagement page no longer lists it as late.
func TestBrowserObligations(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	var mgr models.User
	a.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var e models.Engagement
	a.db.Where("manager_id = ? AND closed_on IS NULL", mgr.ID).Order("id").First(&e)
	signIn(t, ctx, base, models.RoleManager)
	do(t, ctx, "open the engagement's obligations",
		chromedp.Navigate(fmt.Sprintf("%s/engagements/%d", base, e.ID)),
		chromedp.Click(chromedp.CSS(`[data-testid="obligations-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#obligation-new`)))
	due := testToday().AddDays(-35)
	do(t, ctx, "an evidence address that is not one",
		chromedp.SetValue(chromedp.CSS(`#f-title`), "Key personnel list updated"),
		chromedp.SetValue(chromedp.CSS(`#f-clause`), "Schedule 8, 1.4"),
		chromedp.SetValue(chromedp.CSS(`#f-evidence_link`), "sharepoint/people"),
		chromedp.SetValue(chromedp.CSS(`#f-frequency`), models.FrequencyOnce),
		chromedp.SetValue(chromedp.CSS(`#f-first_due`), due.String()),
		chromedp.Click(chromedp.CSS(`#obligation-new button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-evidence_link"]`)))
	if v := value(t, ctx, "typed", chromedp.Value(chromedp.CSS(`#f-clause`))); v != "Schedule 8, 1.4" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	do(t, ctx, "add it",
		chromedp.SetValue(chromedp.CSS(`#f-evidence_link`), "https://docs.example.com/people"),
		chromedp.Click(chromedp.CSS(`#obligation-new button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="record-form"]`)))
	if got := text(t, ctx, `[data-testid="occurrences-table"]`); !strings.Contains(got, "late, 35 days") {
		t.Errorf("the occurrence reads %q, want late by 35 days", got)
	}
	do(t, ctx, "record it met, with evidence",
		chromedp.SetValue(chromedp.CSS(`#f-evidence`), "https://docs.example.com/key-personnel.pdf"),
		// the flash of the page before goes, so the one waited for is the record's
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".flash-success").forEach(f => f.remove())`),
		chromedp.Click(chromedp.CSS(`[data-testid="record-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)))
	if got := text(t, ctx, `[data-testid="occurrences-table"]`); !strings.Contains(got, "met "+testToday().Human()+", 35 days late") ||
		!strings.Contains(got, "key-personnel.pdf") || !strings.Contains(got, mgr.Name) {
		t.Errorf("the occurrence reads %q", got)
	}
	checkAccessibility(t, ctx, "an obligation's page")
	do(t, ctx, "back to the engagement", chromedp.Navigate(fmt.Sprintf("%s/engagements/%d", base, e.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="engagement-obligations"]`)))
	if got := text(t, ctx, `[data-testid="engagement-obligations"]`); strings.Contains(got, "Key personnel list updated") {
		t.Errorf("met, it is still listed: %q", got)
	}
}
