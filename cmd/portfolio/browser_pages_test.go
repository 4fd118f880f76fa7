package main

import (
	"testing"

	"github.com/chromedp/chromedp"
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
