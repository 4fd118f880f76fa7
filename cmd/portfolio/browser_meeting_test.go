package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// A manager records a service review from their engagement's page in one
// form, with an action: the action's missing owner is answered in place,
// what they typed kept; saved, the meeting's page shows the decisions and
// the action, which they mark done there.
func TestBrowserMeetingForm(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	var mgr models.User
	a.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var e models.Engagement
	a.db.Where("manager_id = ? AND closed_on IS NULL", mgr.ID).Order("id").First(&e)
	held, due := testToday().AddDays(-1), testToday().AddDays(14)
	signIn(t, ctx, base, models.RoleManager)
	do(t, ctx, "open the engagement's meetings from its page",
		chromedp.Navigate(fmt.Sprintf("%s/engagements/%d", base, e.ID)),
		chromedp.Click(chromedp.CSS(`[data-testid="record-meeting"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#meeting-form`)))
	do(t, ctx, "a meeting with an action and no owner",
		chromedp.SetValue(chromedp.CSS(`#f-kind`), models.MeetingService),
		chromedp.SetValue(chromedp.CSS(`#f-held_on`), held.String()),
		chromedp.SetValue(chromedp.CSS(`#f-attendees`), "Priya Raman, the vendor's service manager"),
		chromedp.SetValue(chromedp.CSS(`#f-decisions`), "Problem record opened for the storage incidents."),
		chromedp.SetValue(chromedp.CSS(`#f-action_1`), "Send the root-cause analysis"),
		chromedp.SetValue(chromedp.CSS(`#f-due_1`), due.String()),
		chromedp.Click(chromedp.CSS(`#meeting-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-owner_1"]`)))
	if v := value(t, ctx, "typed", chromedp.Value(chromedp.CSS(`#f-action_1`))); v != "Send the root-cause analysis" {
		t.Errorf("the form lost the action typed: %q", v)
	}
	if v := value(t, ctx, "typed", chromedp.Value(chromedp.CSS(`#f-decisions`))); v != "Problem record opened for the storage incidents." {
		t.Errorf("the form lost the decisions typed: %q", v)
	}
	do(t, ctx, "the owner",
		chromedp.SetValue(chromedp.CSS(`#f-owner_1`), "Bo Chen"),
		chromedp.Click(chromedp.CSS(`#meeting-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-actions"]`)))
	if got := text(t, ctx, "h1"); !strings.Contains(got, "Service review, "+held.Human()) {
		t.Errorf("the meeting's page is headed %q", got)
	}
	if got := text(t, ctx, `[data-testid="meeting-decisions"]`); got != "Problem record opened for the storage incidents." {
		t.Errorf("the decisions read %q", got)
	}
	checkAccessibility(t, ctx, "the meeting's page")
	do(t, ctx, "mark the action done",
		chromedp.Click(chromedp.CSS(`[data-testid="mark-done"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="action"][data-status="done"]`)))
	var stored models.MeetingAction
	a.db.Where("engagement_id = ? AND action = ?", e.ID, "Send the root-cause analysis").First(&stored)
	if stored.Status != models.ActionDone || stored.Owner != "Bo Chen" || !stored.Due.Equal(due.Time) {
		t.Errorf("stored %+v", stored)
	}
}
