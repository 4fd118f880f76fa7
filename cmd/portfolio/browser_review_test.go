package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// The portfolio pack of the demo data prints to a board document: a sensible
// number of pages, each engagement starting on a page of its own under its name,
// the quarter on every page, and nothing of the web page's navigation.
func TestBrowserReviewPackPrints(t *testing.T) {
	ctx := browser(t)
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("PORTFOLIO_REQUIRE_BROWSER") == "1" {
				t.Fatalf("%s is required: apt-get install poppler-utils", tool)
			}
			t.Skipf("%s not found (apt-get install poppler-utils)", tool)
		}
	}
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	q := models.DefaultFiscal.LastComplete(testToday()).String()
	do(t, ctx, "open the pack", chromedp.Navigate(base+"/reviews/"+q), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack-cover"]`)))
	names := value(t, ctx, "engagement names", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="pack-engagement"] h2.eng-title')].map(h => h.textContent.trim())`))
	if len(names) < 10 {
		t.Fatalf("only %d engagement sections in the pack", len(names))
	}
	for _, paper := range []chromedp.PaperSize{chromedp.PaperA4, chromedp.PaperLetter} {
		pdf := value(t, ctx, "print", chromedp.PrintToPDF(chromedp.PDFPaper(paper), chromedp.PDFPrintBackground()))
		path := filepath.Join(t.TempDir(), "pack.pdf")
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		pages := pdfPages(t, path)
		if pages < len(names)+5 || pages > 4*len(names)+20 {
			t.Errorf("%v: %d pages for %d engagements", paper, pages, len(names))
		}
		atTop := map[string]bool{}
		for i := 1; i <= pages; i++ {
			text := pdfText(t, path, i)
			if !strings.Contains(text, q) {
				t.Errorf("page %d does not name the quarter %s", i, q)
			}
			for _, nav := range []string{"Sign out", "Skip to content", "Print or save as PDF", "Publish and freeze", "Signed in as"} {
				if strings.Contains(text, nav) {
					t.Errorf("page %d prints %q", i, nav)
				}
			}
			if !strings.Contains(text, "Page "+strconv.Itoa(i)+" of "+strconv.Itoa(pages)) && i > 1 {
				t.Errorf("page %d has no page number", i)
			}
			lines := nonEmptyLines(text)
			for _, n := range names {
				// The running header is the first line; the engagement's name comes next.
				for _, l := range lines[:min(3, len(lines))] {
					if strings.TrimSpace(l) == n {
						atTop[n] = true
					}
				}
			}
		}
		for _, n := range names {
			if !atTop[n] {
				t.Errorf("%v: %q does not start a page", paper, n)
			}
		}
	}
}

func pdfPages(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("pdfinfo gave no page count")
	return 0
}

func pdfText(t *testing.T, path string, page int) string {
	t.Helper()
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
