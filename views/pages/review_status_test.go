package pages

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/pack"
)

// The status on a page names each tower of a grouped grid above its rows,
// gives every colour its word, and writes the change since the previous
// quarter as an arrow with its words ("new" where the engagement was not live).
func TestPackStatusGridByTower(t *testing.T) {
	row := func(code, health, was string, trend int) pack.StatusRow {
		return pack.StatusRow{Code: code, Name: code + " centre", Model: "ITO", Phase: "Run", Status: pack.PackStatus{Health: health, Previous: was, Trend: trend,
			Savings: pack.PackRAG{RAG: models.Red, Text: "74.2 %"}, SLA: pack.PackRAG{Text: "not measured"}}}
	}
	p := &pack.Pack{Quarter: "2026-Q3", Previous: "2026-Q2", Status: []pack.StatusGroup{
		{Tower: "Cloud services", Rows: []pack.StatusRow{row("CLD-1", models.Red, models.Amber, -1), row("CLD-2", models.Green, "", 0)}},
		{Tower: "Help desk", Rows: []pack.StatusRow{row("HLP-1", models.Amber, models.Amber, 0)}},
	}}
	doc := render(t, packStatus(p, nil))
	var towers []string
	doc.Find(`tr.status-tower`).Each(func(_ int, s *goquery.Selection) { towers = append(towers, squash(s.Text())) })
	if strings.Join(towers, "|") != "Cloud services (2)|Help desk (1)" {
		t.Errorf("towers: %q", towers)
	}
	changes := map[string]string{}
	doc.Find(`[data-testid="status-row"]`).Each(func(_ int, s *goquery.Selection) {
		changes[s.AttrOr("data-code", "")] = squash(s.Find(`[data-testid="status-change"]`).Text())
		if got := squash(s.Find("td.status-red").Text()); got != "Red 74.2 %" {
			t.Errorf("savings cell %q", got)
		}
		if got := squash(s.Find("td.status-na").First().Text()); got != "n/a not measured" {
			t.Errorf("SLA cell %q", got)
		}
	})
	want := map[string]string{"CLD-1": "↓worse than at the end of 2026-Q2: was Amber", "CLD-2": "new", "HLP-1": "→the same as at the end of 2026-Q2: same"}
	for code, w := range want {
		if changes[code] != w {
			t.Errorf("%s change %q, want %q", code, changes[code], w)
		}
	}
}
