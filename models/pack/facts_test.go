package pack_test

import (
	"strings"
	"testing"

	"portfolio/models"
	"portfolio/models/pack"
)

// The pack states by itself the largest shortfalls against plan (in its
// currency, the furthest first), the risks that became Critical and the
// transfers planned for the next quarter; and says so when there are none.
func TestKeyFacts(t *testing.T) {
	t.Parallel()
	eur := pack.PackSavings{YTD: 50_000_00, YTDPlan: 80_000_00}
	p := &pack.Pack{Quarter: "2026-Q3", Currency: "USD", Start: models.D(2026, 7, 1), End: models.D(2026, 9, 30),
		Engagements: []pack.EngagementPack{
			{Code: "ITO-001", Name: "Service desk", Currency: "USD", Savings: pack.PackSavings{YTD: 90_000_00, YTDPlan: 100_000_00}},
			{Code: "ITO-002", Name: "Hosting", Currency: "EUR", Savings: eur, Reported: &pack.PackSavings{YTD: 55_000_00, YTDPlan: 88_000_00}},
			{Code: "ITO-003", Name: "Network", Currency: "USD", Savings: pack.PackSavings{YTD: 120_000_00, YTDPlan: 100_000_00}},
			{Code: "ITO-004", Name: "Transition", Currency: "USD", Savings: pack.PackSavings{YTD: -5_000_00, YTDPlan: 0}},
		},
		Risks: pack.PackRisks{Moves: []pack.PackRisk{
			{Ref: "R-1", Engagement: "ITO-001", Band: models.BandCritical, Movement: "new"},
			{Ref: "R-2", Engagement: "ITO-002", Band: models.BandCritical, Movement: "escalated 12 → 20"},
			{Ref: "R-3", Engagement: "ITO-002", Band: models.BandCritical, Movement: "de-escalated 25 → 20"},
			{Ref: "R-4", Engagement: "ITO-003", Band: models.BandHigh, Movement: "new"},
		}},
		Transfers: []pack.PackTransfer{
			{Engagement: "BOT-001 Data centre", Planned: "15 Nov 2026"},
			{Engagement: "BOT-002 Apps", Planned: "2 Jan 2027"},
			{Engagement: "BOT-003 Test", Planned: "—"},
		},
	}
	got := strings.Join(p.KeyFacts(), "\n")
	for _, want := range []string{
		"ITO-002 Hosting: hard savings year to date $33,000 below plan ($55,000 against $88,000 planned).\nITO-001 Service desk: hard savings year to date $10,000 below plan",
		"2 risks became Critical in 2026-Q3: R-1 (ITO-001), R-2 (ITO-002).",
		"1 transfer planned for the next quarter: BOT-001 Data centre on 15 Nov 2026.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the key facts lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ITO-003") && strings.Contains(got, "below plan") && strings.Contains(got, "Network") || strings.Contains(got, "Transition") {
		t.Errorf("an engagement at or above plan, or with no plan, is called short:\n%s", got)
	}
	quiet := (&pack.Pack{Quarter: "2026-Q3", Currency: "USD", End: models.D(2026, 9, 30)}).KeyFacts()
	if strings.Join(quiet, "\n") != "No risk became Critical in 2026-Q3.\nNo BOT transfer is planned for the next quarter." {
		t.Errorf("a quiet quarter's facts: %q", quiet)
	}
}
