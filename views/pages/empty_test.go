package pages

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/layouts"
)

var (
	today  = models.D(2026, time.November, 21)
	fiscal = models.Fiscal{StartMonth: time.January}
)

// An empty database shows the dashboard's empty state and nothing that would be blank.
func TestDashboardWithoutEngagementsShowsItsEmptyState(t *testing.T) {
	doc := render(t, Dashboard(DashboardProps{Chrome: layouts.Chrome{Title: "Dashboard"}, D: &models.Dashboard{Today: today},
		Cur: "USD", Risk: models.DefaultRiskSettings()}))
	if got := emptyIn(t, doc, "main"); got != "No engagements yet" {
		t.Errorf("empty state %q", got)
	}
	if !strings.Contains(squash(doc.Find(`[data-testid="empty"]`).Text()), "--demo") {
		t.Error("the empty state should say how to see a sample portfolio")
	}
	for _, css := range []string{`[data-testid="heatmap"]`, ".figures", "table"} {
		if n := doc.Find(css).Length(); n != 0 {
			t.Errorf("an empty dashboard renders %d %s", n, css)
		}
	}
	if got := squash(doc.Find("h1").Text()); got != "Portfolio dashboard" {
		t.Errorf("heading %q", got)
	}
}

// With engagements but nothing to worry about, every section says so in words, not with a blank table.
func TestDashboardSectionsShowEmptyStates(t *testing.T) {
	d := &models.Dashboard{Today: today, Quarter: fiscal.QuarterOf(today), LastQuarter: fiscal.LastComplete(today),
		Active: 3, Phases: []models.Counted{{Key: "Run", Model: models.ModelITO, Count: 3}},
		HealthCounts: map[string]int64{models.Green: 3}, Bands: map[string]int64{}, Rates: models.NewRates("USD", nil)}
	doc := render(t, Dashboard(DashboardProps{D: d, Cur: "USD", Risk: models.DefaultRiskSettings()}))
	for css, want := range map[string]string{
		`[data-testid="attention"]`:  "Every engagement is green",
		`[data-testid="transfers"]`:  "No transfers coming up",
		`[data-testid="milestones"]`: "No milestones due",
	} {
		if got := emptyIn(t, doc, css); got != want {
			t.Errorf("%s: empty state %q, want %q", css, got, want)
		}
	}
	if got := squash(doc.Find(`[data-testid="fig-active"] .figure-value`).Text()); got != "3" {
		t.Errorf("active engagements figure %q, want 3", got)
	}
	if got := squash(doc.Find(`[data-testid="fig-savings-ytd"] .figure-note`).Text()); got != "no cost records in the period" {
		t.Errorf("savings note %q: without records it should say so", got)
	}
	if n := doc.Find(`[data-testid="heatmap"] td.cell a`).Length(); n != 0 {
		t.Errorf("with no open risks the heat map links %d cells", n)
	}
	// The phase table still counts every phase, zeros included.
	if got := squash(doc.Find(`a[href="/engagements?model=ITO&phase=Run"]`).Closest("tr").Find("td.num").Text()); got != "3" {
		t.Errorf("ITO Run count %q, want 3", got)
	}
}

func engagementsQuery() components.Query {
	return components.Query{Path: "/engagements", Values: url.Values{"model": {"BOT"}}, Target: "#engagements-table"}
}

// A filter that matches nothing shows the empty state and the pager, never an empty table.
func TestEngagementsTableWithNoRowsShowsItsEmptyState(t *testing.T) {
	doc := render(t, EngagementsTable(EngagementsProps{Query: engagementsQuery(), Filter: models.EngagementFilter{Model: "BOT", Page: 1, PerPage: 25}}))
	if got := emptyIn(t, doc, `section#engagements-table[data-testid="engagements-table"]`); got != "No engagements match these filters" {
		t.Errorf("empty state %q", got)
	}
	if doc.Find("table").Length() != 0 {
		t.Error("no rows should render no table")
	}
	if got := squash(doc.Find(`[data-testid="pager"]`).Text()); !strings.Contains(got, "No rows") {
		t.Errorf("pager reads %q", got)
	}
}

// A row links to its engagement, shows its health in words, and its numbers right-aligned.
func TestEngagementsTableRow(t *testing.T) {
	row := models.EngagementRow{OpenRisks: 4, Engagement: models.Engagement{ID: 17, Code: "BOT-PL-02", Name: "Wrocław data and analytics hub",
		Model: models.ModelBOT, Tower: "Data management", Phase: "Transfer", Health: models.Red, ContractValue: 1680000000, Currency: "EUR",
		Vendor: &models.Vendor{Name: "Vistula Software House"}, ContractEnd: models.D(2027, time.March, 11)}}
	today := models.D(2026, time.December, 7)
	rates := models.NewValueRates("USD", []models.FXRate{{Currency: "EUR", Month: models.D(2026, time.November, 1), Rate: "1.08"}}, today)
	rows := []models.EngagementRow{row}
	models.ConvertContractValues(rows, rates)
	doc := render(t, EngagementsTable(EngagementsProps{Query: engagementsQuery(), Rows: rows, Total: 1,
		Filter: models.EngagementFilter{Page: 1, PerPage: 25}, Value: models.ValueTotal{Engagements: 1, Currency: "USD"}}))
	tr := doc.Find(`[data-testid="engagements-table"] tbody tr`)
	if tr.Length() != 1 {
		t.Fatalf("%d rows, want 1", tr.Length())
	}
	if href := tr.Find(`a[href="/engagements/17"]`).Text(); href != "Wrocław data and analytics hub" {
		t.Errorf("link text %q", href)
	}
	if got := squash(tr.Find(`[data-testid="health"]`).Text()); got != "Red" {
		t.Errorf("health %q", got)
	}
	var nums []string
	tr.Find("td.num").Each(func(_ int, s *goquery.Selection) { nums = append(nums, squash(s.Text())) })
	if strings.Join(nums, "|") != "4|$18,144,000 (€16,800,000)" {
		t.Errorf("numeric cells %v", nums)
	}
	if tr.Find(`[data-testid="value-provisional"]`).Length() != 0 {
		t.Error("provisional, though November (the last complete month) has its rate")
	}
	// In January, November's rate is carried past December's missing one.
	models.ConvertContractValues(rows, models.NewValueRates("USD", []models.FXRate{{Currency: "EUR", Month: models.D(2026, time.November, 1), Rate: "1.08"}},
		models.D(2027, time.January, 4)))
	doc = render(t, EngagementsTable(EngagementsProps{Query: engagementsQuery(), Rows: rows, Total: 1, Filter: models.EngagementFilter{Page: 1, PerPage: 25}}))
	flag := doc.Find(`[data-testid="value-provisional"]`)
	if flag.Text() != "provisional" || flag.AttrOr("title", "") != "provisional: rate of Nov 2026 (1.08) used for EUR Dec 2026" {
		t.Errorf("a carried-forward rate reads %q (%q)", flag.Text(), flag.AttrOr("title", ""))
	}
	if got := squash(doc.Find("caption").Text()); got != "Engagements, 1 matching" {
		t.Errorf("caption %q", got)
	}
}

// An engagement without records says, section by section, what is missing and who fills it in.
func TestEngagementPageWithoutRecordsShowsEmptyStates(t *testing.T) {
	for _, model := range []string{models.ModelITO, models.ModelBOT} {
		phase := "Run"
		if model == models.ModelBOT {
			phase = "Build"
		}
		d := &models.EngagementDetail{Engagement: models.Engagement{ID: 3, Code: "X-01", Name: "New engagement", Model: model,
			Tower: "Cloud services", Phase: phase, Currency: "EUR", Health: models.Green}}
		doc := render(t, Engagement(EngagementProps{D: d, Today: today, Risk: models.DefaultRiskSettings(), Fiscal: fiscal, Health: models.Green}))
		for css, want := range map[string]string{
			`[data-testid="costs"]`:                 "No cost records yet",
			`[data-testid="slas"]`:                  "No service levels defined",
			`[data-testid="engagement-risks"]`:      "No live risks",
			`[data-testid="engagement-milestones"]`: "No milestones",
		} {
			if got := emptyIn(t, doc, css); got != want {
				t.Errorf("%s %s: empty state %q, want %q", model, css, got, want)
			}
		}
		if doc.Find(`[data-testid="costs"] svg, [data-testid="costs"] .figure`).Length() != 0 {
			t.Errorf("%s: without cost records there should be no chart or figures", model)
		}
		readiness := doc.Find(`[data-testid="readiness"]`).Length()
		if model == models.ModelBOT && readiness != 1 || model == models.ModelITO && readiness != 0 {
			t.Errorf("%s: %d readiness sections; only BOT has one", model, readiness)
		}
		if got := squash(doc.Find("h1").Text()); got != "New engagement" {
			t.Errorf("heading %q", got)
		}
	}
}

// The lessons library with nothing found says so and how to find more.
func TestLessonsListEmpty(t *testing.T) {
	doc := render(t, LessonsList(LessonsProps{Query: components.Query{Path: "/lessons", Values: url.Values{"q": {"zzz"}}, Target: "#lessons-list"},
		Filter: models.LessonFilter{Q: "zzz", Page: 1, PerPage: 20}}))
	if got := emptyIn(t, doc, `#lessons-list`); got != "No lessons match" {
		t.Errorf("empty state %q", got)
	}
	if got := squash(doc.Find(`[data-testid="lesson-count"]`).Text()); !strings.HasPrefix(got, "0 lessons") {
		t.Errorf("count %q", got)
	}
}

// No vendors: the list says who adds them.
func TestVendorsEmpty(t *testing.T) {
	doc := render(t, Vendors(VendorsProps{}))
	if got := emptyIn(t, doc, "main"); got != "No vendors yet" {
		t.Errorf("empty state %q", got)
	}
}

// Error pages name the error; only server errors show the request id, for support.
func TestErrorPage(t *testing.T) {
	doc := render(t, ErrorPage(ErrorProps{Code: 404, Title: "Page not found", Message: "There is nothing at this address.", RequestID: "abc"}))
	if got := squash(doc.Find(`[data-testid="error-page"] h1`).Text()); got != "Page not found" {
		t.Errorf("heading %q", got)
	}
	if doc.Find(`[data-testid="request-id"]`).Length() != 0 {
		t.Error("a 404 should not show a request id")
	}
	doc = render(t, ErrorPage(ErrorProps{Code: 500, Title: "Something went wrong", Message: "Try again.", RequestID: "req-42"}))
	if got := doc.Find(`[data-testid="request-id"]`).Text(); got != "req-42" {
		t.Errorf("request id %q", got)
	}
}
