package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// A manager opens their ITO contract's exit checklist from its page, marks
// the data return tested with a mistyped evidence link (answered in place,
// what they typed kept), then with the right one: the checklist swaps in
// place with the new exit readiness, which the engagement page shows too,
// and the item is stored as typed.
func TestBrowserExitReadiness(t *testing.T) {
	ctx := browser(t)
	base, a := startTestApp(t)
	var e models.Engagement
	a.db.Where("code = ?", "ITO-INF-01").First(&e)
	var it models.ExitItem
	a.db.Where("engagement_id = ? AND area = ?", e.ID, "Data return tested").First(&it)
	if it.ID == 0 || it.Status != models.ReadinessNotStarted {
		t.Fatalf("the demo's ITO-INF-01 has its data return %+v, not a checklist item not started", it)
	}
	items, _ := models.ListExitItems(t.Context(), a.db, e.ID)
	was, _ := models.ExitReadiness(items)
	signIn(t, ctx, base, models.RoleManager)
	openEngagement(t, ctx, base, e.Code)
	if got := text(t, ctx, `[data-testid="exit-readiness"] [data-testid="exit-pct"]`); got != fmt.Sprintf("%.1f %%", was) {
		t.Errorf("the engagement page's exit readiness %q, want %.1f %%", got, was)
	}
	do(t, ctx, "open the exit checklist",
		chromedp.Click(chromedp.CSS(`[data-testid="exit-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="exit-checklist"]`)))
	checkAccessibility(t, ctx, "the exit checklist")
	item := fmt.Sprintf(`#ex-%d`, it.ID)
	value(t, ctx, "set the marker", chromedp.Evaluate[bool](`window.__keep = "same page"; true`))
	do(t, ctx, "a mistyped evidence link",
		chromedp.SetValue(chromedp.CSS(item+` select[name="status"]`), "2"),
		chromedp.SetValue(chromedp.CSS(item+` input[name="owner"]`), "Kavya Iyer"),
		chromedp.SetValue(chromedp.CSS(item+` input[name="evidence"]`), "docs.example/data-return"),
		chromedp.Click(chromedp.CSS(item+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(item+` [data-testid="error-evidence"]`)))
	if v := value(t, ctx, "read the owner", chromedp.Value(chromedp.CSS(item+` input[name="owner"]`))); v != "Kavya Iyer" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	do(t, ctx, "the right link",
		chromedp.SetValue(chromedp.CSS(item+` input[name="evidence"]`), "https://docs.example/exit/data-return-test.pdf"),
		chromedp.Click(chromedp.CSS(item+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="exit-saved"]`)))
	if msg := text(t, ctx, `[data-testid="exit-saved"]`); msg != "Data return tested saved: Done." {
		t.Errorf("status line %q", msg)
	}
	if kept := value(t, ctx, "read the marker", chromedp.Evaluate[string](`window.__keep || ""`)); kept != "same page" {
		t.Fatal("the page reloaded: the checklist was not swapped in place")
	}
	want := fmt.Sprintf("%.1f %%", was+20) // done adds the whole weight, 20 (the weights sum to 100)
	if got := text(t, ctx, `[data-testid="exit-total"] .figure-value`); got != want {
		t.Errorf("exit readiness after the save %q, want %q", got, want)
	}
	if got := text(t, ctx, item+` [data-testid="item-status"]`); got != "Done" {
		t.Errorf("the item reads %q", got)
	}
	openEngagement(t, ctx, base, e.Code)
	if got := text(t, ctx, `[data-testid="exit-readiness"] [data-testid="exit-pct"]`); got != want {
		t.Errorf("engagement page exit readiness %q, want %q", got, want)
	}
	var stored models.ExitItem
	a.db.First(&stored, it.ID)
	if stored.Status != models.ReadinessDone || stored.Owner != "Kavya Iyer" || !strings.HasSuffix(stored.Evidence, "data-return-test.pdf") {
		t.Errorf("stored %+v", stored)
	}
}
