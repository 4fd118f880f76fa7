package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portfolio/models"
)

// The demo's last ended quarter prints on A4 and Letter as a board reads it:
// page 2 is the status on a page with every engagement live in the quarter;
// the trends over eight quarters and the year-on-year comparison print;
// no page's text runs past the right margin (the transfer tables' last
// column was cut there); every page with a transfer table has its last
// column's header.
func TestBrowserReviewPackFitsThePaper(t *testing.T) {
	ctx := browser(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("PORTFOLIO_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftotext is required: apt-get install poppler-utils")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	q := models.DefaultFiscal.LastComplete(testToday()).String()
	do(t, ctx, "open the whole pack", chromedp.Navigate(base+"/reviews/"+q+"?part=all"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack-cover"]`)))
	codes := value(t, ctx, "engagement codes", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="pack-engagement"]')].map(s => s.dataset.code)`))
	if len(codes) < 10 {
		t.Fatalf("only %d engagement sections", len(codes))
	}
	const rightMargin = 14 / 25.4 * 72 // the pack's @page margin, in points
	for _, paper := range []chromedp.PaperSize{chromedp.PaperA4, chromedp.PaperLetter} {
		pdf := value(t, ctx, "print", chromedp.PrintToPDF(chromedp.PDFPaper(paper), chromedp.PDFPrintBackground()))
		path := filepath.Join(t.TempDir(), "pack.pdf")
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		pages := pdfWords(t, path)
		if len(pages) < len(codes)+5 {
			t.Fatalf("%v: %d pages", paper, len(pages))
		}
		two := pages[1].text()
		if !strings.Contains(two, "Status on a page") {
			t.Errorf("%v: page 2 is not the status on a page:\n%.300s", paper, two)
		}
		for _, c := range codes {
			if !strings.Contains(two, c) {
				t.Errorf("%v: page 2 lacks %s", paper, c)
			}
		}
		var all strings.Builder
		for _, p := range pages {
			all.WriteString(p.text())
		}
		for _, want := range []string{"Trends over the eight quarters", "Hard savings by quarter,", "Cost avoidance by quarter,",
			"SLA attainment by quarter,", "Open risks at each quarter's end by residual band,", "BOT transfer readiness at each quarter's end",
			"Hard savings in " + q + " were"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("%v: the pack does not print %q", paper, want)
			}
		}
		for i, p := range pages {
			for _, w := range p.Words {
				if w.XMax > p.Width-rightMargin+1 {
					t.Errorf("%v: page %d: %q runs past the right margin (%.1f of %.1f pt)", paper, i+1, w.Text, w.XMax, p.Width)
				}
			}
			text := strings.ToLower(p.text())
			if strings.Contains(text, "done this quarter") || strings.Contains(text, "milestones done in the quarter") {
				if !strings.Contains(text, "due next quarter") {
					t.Errorf("%v: page %d has a transfer table without its last column's header", paper, i+1)
				}
			}
		}
	}
}

// Without JavaScript, "Print or save as PDF" opens the whole pack, to print.
func TestBrowserReviewPackPrintLinkWithoutJavaScript(t *testing.T) {
	ctx := browserWith(t, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	base := startApp(t)
	signIn(t, ctx, base, "executive")
	q := models.DefaultFiscal.LastComplete(testToday()).String()
	do(t, ctx, "open the pack and follow the print link",
		chromedp.Navigate(base+"/reviews/"+q), chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack-print"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="pack-print"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pack-status-grid"]`)))
	loc := value(t, ctx, "where it went", chromedp.Location())
	if !strings.HasSuffix(loc, "/reviews/"+q+"?part=all") {
		t.Errorf("the print link went to %s", loc)
	}
}

// pdfPage is a page's words with their boxes, as pdftotext -bbox gives them.
type pdfPage struct {
	Width float64   `xml:"width,attr"`
	Words []pdfWord `xml:"word"`
}

type pdfWord struct {
	XMax float64 `xml:"xMax,attr"`
	Text string  `xml:",chardata"`
}

func (p pdfPage) text() string {
	var b strings.Builder
	for _, w := range p.Words {
		b.WriteString(w.Text)
		b.WriteByte(' ')
	}
	return b.String()
}

func pdfWords(t *testing.T, path string) []pdfPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Pages []pdfPage `xml:"body>doc>page"`
	}
	d := xml.NewDecoder(strings.NewReader(string(out)))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	return doc.Pages
}
