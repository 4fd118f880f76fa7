package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestZZLook(t *testing.T) {
	base := os.Getenv("ZZ_BASE")
	if base == "" {
		t.Skip()
	}
	ctx := browser(t)
	signIn(t, ctx, base, "executive")
	for _, c := range []struct {
		name, path string
		w, h       int64
	}{{"part1-wide", "/reviews/2026-Q3", 1440, 900}, {"part1-narrow", "/reviews/2026-Q3", 390, 844}, {"part2-wide", "/reviews/2026-Q3?part=2", 1440, 900}} {
		do(t, ctx, "open "+c.path, chromedp.EmulateViewport(c.w, c.h), chromedp.Navigate(base+c.path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack"]`)))
		png := value(t, ctx, "shot", chromedp.CaptureScreenshot())
		os.WriteFile("/tmp/look-"+c.name+"-top.png", png, 0o644)
		do(t, ctx, "scroll", chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="pack-parts"]`)))
		png = value(t, ctx, "shot", chromedp.CaptureScreenshot())
		os.WriteFile("/tmp/look-"+c.name+"-nav.png", png, 0o644)
		if c.name == "part1-wide" {
			do(t, ctx, "scroll", chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="pack-cut"]`)))
			png = value(t, ctx, "shot", chromedp.CaptureScreenshot())
			os.WriteFile("/tmp/look-"+c.name+"-cut.png", png, 0o644)
		}
	}
	do(t, ctx, "open part 1", chromedp.EmulateViewport(1440, 900), chromedp.Navigate(base+"/reviews/2026-Q3"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack"]`)))
	checkAccessibility(t, ctx, "pack part 1")
	pdf := value(t, ctx, "pdf", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground()))
	os.WriteFile("/tmp/look-part1.pdf", pdf, 0o644)
}
