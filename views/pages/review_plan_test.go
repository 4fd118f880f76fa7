package pages

import (
	"fmt"
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/pack"
)

// The pack states savings against plan with one decimal and the signed
// money variance, from its figures in minor units: 99.89 % is "99.9 %", not "100 %".
func TestPackOfPlanTextShowsOneDecimalAndTheVariance(t *testing.T) {
	for _, c := range []struct {
		net, plan int64
		cur, want string
	}{
		{21_398_436_00, 21_422_000_00, "USD", "99.9 % of plan, −$23,564"},
		{10_029_000_00, 10_000_000_00, "USD", "100.3 % of plan, +$29,000"},
		{-5_000_00, 10_000_00, "EUR", "−50.0 % of plan, −€15,000"},
		{-274_090_00, -274_384_00, "USD", "plan −$274,384, +$294"}, // a plan that is a cost: no share
		{1, 0, "USD", "no plan"},
	} {
		share, variance := ofPlan(c.net, c.plan, c.cur)
		if got := strings.TrimSpace(share + " " + variance); got != c.want {
			t.Errorf("ofPlan(%d, %d) = %q, want %q", c.net, c.plan, got, c.want)
		}
	}
}

// The pack's risk section flags the acceptances that had expired by the
// quarter's end, and says when its list of them is cut.
func TestPackFlagsExpiredAcceptancesInPrint(t *testing.T) {
	end := models.D(2026, 9, 30)
	p := ReviewProps{P: &pack.Pack{End: end, Previous: "2026-Q2", Risks: pack.PackRisks{
		ExpiredCount: 30, Expired: []pack.PackRisk{{Ref: "R-012", Title: "Key supplier insolvency", Engagement: "ITO-01", Residual: 6, Band: "Medium"}},
	}}, Risk: models.DefaultSettings().Risk}
	doc := render(t, packRisks(p))
	if got := squash(doc.Find(`[data-testid="pack-expired"]`).Text()); !strings.Contains(got, "30 accepted risks whose acceptance had expired by 30 Sep 2026") {
		t.Errorf("warning %q", got)
	}
	if got := doc.Find(`caption:contains("Acceptances expired (the first 1 of 30)")`).Length(); got != 1 {
		t.Error("the cut list of expired acceptances does not say it is cut")
	}
	if !strings.Contains(doc.Text(), "R-012") {
		t.Error("the expired acceptance is not listed")
	}
}

// The pack's movement table says when it is cut, and links to the register's
// movement view for the quarter, where every risk that moved is listed.
func TestPackMovementTableSaysItIsCut(t *testing.T) {
	moves := make([]pack.PackRisk, 25)
	for i := range moves {
		moves[i] = pack.PackRisk{Ref: fmt.Sprintf("R-%03d", i+1), Title: "Moved", Engagement: "ITO-01", Residual: 12, Band: "High"}
	}
	p := ReviewProps{P: &pack.Pack{Start: models.D(2026, 7, 1), End: models.D(2026, 9, 30), Previous: "2026-Q2",
		Risks: pack.PackRisks{Moves: moves, MovesCount: 73}}, Risk: models.DefaultSettings().Risk}
	doc := render(t, packRisks(p))
	if got := doc.Find(`caption:contains("Movement since the previous quarter (the first 25 of 73)")`).Length(); got != 1 {
		t.Error("the cut movement table does not say it is cut")
	}
	link := doc.Find(`[data-testid="pack-moves-more"] a`)
	if href, _ := link.Attr("href"); href != "/risks?as_at=2026-09-30&since=2026-06-30" || !strings.Contains(link.Text(), "All 73 risks that moved") {
		t.Errorf("the link to the rest: %q %q", href, link.Text())
	}
	p.P.Risks.MovesCount = 25
	doc = render(t, packRisks(p))
	if doc.Find(`[data-testid="pack-moves-more"]`).Length() != 0 || doc.Find(`caption:contains("the first")`).Length() != 0 {
		t.Error("a whole movement table says it is cut")
	}
}
