package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// A manager scores the partnership of their engagement for the quarter from
// its page, sees the quarter in the trend, and accepts the risk a fall to 2
// suggests: the new risk opens, in the register.
func TestBrowserPartnershipSurvey(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	var mgr models.User
	a.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var e models.Engagement
	a.db.Where("manager_id = ? AND closed_on IS NULL", mgr.ID).Order("id").First(&e)
	signIn(t, ctx, base, models.RoleManager)
	do(t, ctx, "open the partnership from the engagement",
		chromedp.Navigate(fmt.Sprintf("%s/engagements/%d", base, e.ID)),
		chromedp.Click(chromedp.CSS(`[data-testid="partnership-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#survey-form`)))
	// Every score is required (the browser asks for a missing one); a comment is optional.
	var sets []chromedp.Action[chromedp.Void]
	for _, d := range models.SurveyDimensions {
		v := "4"
		if d.Key == "communication" {
			v = "2"
		}
		sets = append(sets, chromedp.SetValue(chromedp.CSS("#f-"+d.Key), v))
	}
	sets = append(sets, chromedp.SetValue(chromedp.CSS(`#f-communication_note`), "Escalations go unanswered for days."),
		chromedp.Click(chromedp.CSS(`#survey-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="suggestion"]`)))
	do(t, ctx, "the survey", sets...)
	if v := value(t, ctx, "the comment", chromedp.Value(chromedp.CSS(`#f-communication_note`))); v != "Escalations go unanswered for days." {
		t.Errorf("the comment is not kept: %q", v)
	}
	s, _ := models.LoadSettings(t.Context(), a.db)
	if trend := text(t, ctx, `[data-testid="survey-trend"]`); !strings.Contains(trend, s.Fiscal().QuarterOf(testToday()).String()) {
		t.Errorf("the trend lacks this quarter: %q", trend)
	}
	checkAccessibility(t, ctx, "the partnership page")
	do(t, ctx, "accept the suggested risk",
		chromedp.Click(chromedp.CSS(`[data-testid="suggestion"] button[value="accept"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="risk-detail"]`)))
	if loc := value(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/risks/") {
		t.Errorf("accepting opens %s, want the new risk", loc)
	}
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "Partnership:") {
		t.Errorf("the new risk is %q", h)
	}
}
