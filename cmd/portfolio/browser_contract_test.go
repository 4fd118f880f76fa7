package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// A manager opens their engagement's contract from its page, records the
// notice period (one past two years answered in place, what they typed kept),
// sees the notice deadline, and records the decision at it.
func TestBrowserContractTerms(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	var mgr models.User
	a.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var e models.Engagement
	a.db.Where("manager_id = ? AND closed_on IS NULL", mgr.ID).Order("id").First(&e)
	a.db.Model(&models.Engagement{}).Where("id = ?", e.ID).Update("contract_end", testToday().AddDays(150))
	signIn(t, ctx, base, models.RoleManager)
	do(t, ctx, "open the engagement's contract",
		chromedp.Navigate(fmt.Sprintf("%s/engagements/%d", base, e.ID)),
		chromedp.Click(chromedp.CSS(`[data-testid="contract-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#contract-form`)))
	do(t, ctx, "a mistyped notice period",
		chromedp.SetValue(chromedp.CSS(`#f-notice_days`), "5000"),
		chromedp.Click(chromedp.CSS(`#contract-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-notice_days"]`)))
	if v := value(t, ctx, "typed", chromedp.Value(chromedp.CSS(`#f-notice_days`))); v != "5000" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	do(t, ctx, "the notice period",
		chromedp.SetValue(chromedp.CSS(`#f-notice_days`), "90"),
		chromedp.Click(chromedp.CSS(`#contract-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="decision-form"]`)))
	deadline := testToday().AddDays(60)
	if got := text(t, ctx, `[data-testid="deadline"]`); !strings.HasPrefix(got, deadline.Human()) {
		t.Errorf("the deadline reads %q, want %s", got, deadline.Human())
	}
	do(t, ctx, "decide to renegotiate",
		chromedp.Click(chromedp.CSS(`[data-testid="decision-form"] input[value="renegotiate"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="decision-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="decided"]`)))
	if got := text(t, ctx, `[data-testid="decided"]`); !strings.Contains(got, "renegotiate") || !strings.Contains(got, mgr.Name) {
		t.Errorf("the decision reads %q", got)
	}
	checkAccessibility(t, ctx, "the contract page")
}
