package models

import (
	"reflect"
	"testing"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	today := D(2026, 7, 15)
	q2 := Quarter{2026, 2}
	base := func() HealthInputs { return HealthInputs{Today: today, SLAQuarter: q2} }
	bot := func(daysToTransfer int, readiness float64) HealthInputs {
		in := base()
		in.IsBOT, in.PlannedTransfer, in.Readiness, in.HasReadiness = true, today.AddDays(daysToTransfer), readiness, true
		return in
	}
	tests := []struct {
		name    string
		in      HealthInputs
		colour  string
		reasons []string
	}{
		{"nothing wrong", base(), Green, nil},

		// An acceptance that has expired is Amber, and says since when.
		{"acceptance expired", func() HealthInputs {
			in := base()
			in.ExpiredAcceptances, in.AcceptanceExpiredOn = 1, D(2026, 7, 3)
			return in
		}(), Amber,
			[]string{"a risk's acceptance expired on 3 Jul 2026"}},
		{"acceptances expired", func() HealthInputs {
			in := base()
			in.ExpiredAcceptances, in.AcceptanceExpiredOn = 2, D(2026, 6, 30)
			return in
		}(), Amber,
			[]string{"2 risk acceptances expired, the first on 30 Jun 2026"}},

		// Red rules, each alone.
		{"critical risk", func() HealthInputs { in := base(); in.CriticalOutOfAppetite = 1; return in }(), Red,
			[]string{"1 open risk with a Critical residual score, out of appetite"}},
		{"critical risks", func() HealthInputs { in := base(); in.CriticalOutOfAppetite = 3; return in }(), Red,
			[]string{"3 open risks with a Critical residual score, out of appetite"}},
		{"SLA 80 %", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 8, 10; return in }(), Red,
			[]string{"SLA attainment 80.0 % in 2026-Q2 (8 of 10 met), below 90 %"}},
		{"SLA 89.9 %", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 899, 1000; return in }(), Red,
			[]string{"SLA attainment 89.9 % in 2026-Q2 (899 of 1000 met), below 90 %"}},
		{"SLA 89.99 % is not shown as 90.0", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 8999, 10000; return in }(), Red,
			[]string{"SLA attainment 89.99 % in 2026-Q2 (8999 of 10000 met), below 90 %"}},
		{"savings 79 % of plan", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 7900000, 10000000; return in }(), Red,
			[]string{"net savings year to date at 79.0 % of plan, below 80 %"}},
		{"savings 79.6 % is not shown as 80", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 7960000, 10000000; return in }(), Red,
			[]string{"net savings year to date at 79.6 % of plan, below 80 %"}},
		{"savings 75 % reads with one decimal, as the cards do", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 7500000, 10000000; return in }(), Red,
			[]string{"net savings year to date at 75.0 % of plan, below 80 %"}},
		{"savings 79.96 % is not shown as 80.0", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 7996000, 10000000; return in }(), Red,
			[]string{"net savings year to date at 79.96 % of plan, below 80 %"}},
		{"savings 74.25 % rounds half-even on the exact share", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 7425, 10000; return in }(), Red,
			[]string{"net savings year to date at 74.2 % of plan, below 80 %"}},
		{"savings negative", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = -5000000, 10000000; return in }(), Red,
			[]string{"net savings year to date at −50.0 % of plan, below 80 %"}},
		{"key milestone", func() HealthInputs { in := base(); in.KeyLateOver30, in.Late = 1, 1; return in }(), Red,
			[]string{"1 key milestone more than 30 days late"}},
		{"key milestones", func() HealthInputs { in := base(); in.KeyLateOver30, in.Late = 2, 2; return in }(), Red,
			[]string{"2 key milestones more than 30 days late"}},
		{"BOT 45 days, readiness 60", bot(45, 60), Red,
			[]string{"transfer due in 45 days with readiness 60 %, below 70 %"}},
		{"BOT 60 days, readiness 60", bot(60, 60), Red,
			[]string{"transfer due in 60 days with readiness 60 %, below 70 %"}},
		{"BOT 1 day", bot(1, 62.5), Red,
			[]string{"transfer due in 1 day with readiness 62 %, below 70 %"}},
		{"BOT today", bot(0, 60), Red,
			[]string{"transfer due today with readiness 60 %, below 70 %"}},
		{"BOT 5 days overdue", bot(-5, 60), Red,
			[]string{"transfer 5 days overdue with readiness 60 %, below 70 %"}},
		{"BOT 1 day overdue", bot(-1, 60), Red,
			[]string{"transfer 1 day overdue with readiness 60 %, below 70 %"}},
		{"BOT readiness 69.6 is not shown as 70", bot(45, 69.6), Red,
			[]string{"transfer due in 45 days with readiness 69.6 %, below 70 %"}},
		{"BOT without checklist", func() HealthInputs { in := bot(45, 0); in.HasReadiness = false; return in }(), Red,
			[]string{"transfer due in 45 days with no readiness checklist"}},

		// The BOT rule's edges.
		{"BOT 45 days, readiness 75", bot(45, 75), Green, nil},
		{"BOT readiness exactly 70", bot(45, 70), Green, nil},
		{"BOT 61 days away", bot(61, 10), Green, nil},
		{"BOT transferred", func() HealthInputs { in := bot(-5, 60); in.Transferred = true; return in }(), Green, nil},
		{"BOT without a planned date", func() HealthInputs { in := bot(0, 10); in.PlannedTransfer = Date{}; return in }(), Green, nil},
		{"ITO near its date", func() HealthInputs { in := bot(10, 10); in.IsBOT = false; return in }(), Green, nil},

		// Thresholds.
		{"SLA exactly 90 % is amber", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 9, 10; return in }(), Amber,
			[]string{"SLA attainment 90.0 % in 2026-Q2 (9 of 10 met), below 95 %"}},
		{"SLA 94.4 %", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 17, 18; return in }(), Amber,
			[]string{"SLA attainment 94.4 % in 2026-Q2 (17 of 18 met), below 95 %"}},
		{"SLA exactly 95 % is green", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 19, 20; return in }(), Green, nil},
		{"SLA not measured", func() HealthInputs { in := base(); in.SLAMet, in.SLAMeasured = 0, 0; return in }(), Green, nil},
		{"savings exactly 80 % is amber", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 8000000, 10000000; return in }(), Amber,
			[]string{"net savings year to date at 80.0 % of plan, below 95 %"}},
		{"savings 94.6 % is not shown as 95", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 9460000, 10000000; return in }(), Amber,
			[]string{"net savings year to date at 94.6 % of plan, below 95 %"}},
		{"savings exactly 95 % is green", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 9500000, 10000000; return in }(), Green, nil},
		{"savings above plan", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = 12000000, 10000000; return in }(), Green, nil},
		{"plan 0: no savings rule", func() HealthInputs { in := base(); in.SavingsNet, in.SavingsPlan = -5000000, 0; return in }(), Green, nil},

		// Amber rules, each alone.
		{"high risk", func() HealthInputs { in := base(); in.HighOutOfAppetite = 1; return in }(), Amber,
			[]string{"1 open risk with a High residual score, out of appetite"}},
		{"high risks", func() HealthInputs { in := base(); in.HighOutOfAppetite = 2; return in }(), Amber,
			[]string{"2 open risks with a High residual score, out of appetite"}},
		{"a milestone late", func() HealthInputs { in := base(); in.Late = 1; return in }(), Amber,
			[]string{"1 milestone late"}},
		{"milestones late", func() HealthInputs { in := base(); in.Late = 3; return in }(), Amber,
			[]string{"3 milestones late"}},
		{"review overdue", func() HealthInputs { in := base(); in.OverdueReviews = 1; return in }(), Amber,
			[]string{"1 risk overdue for review"}},
		{"reviews overdue", func() HealthInputs { in := base(); in.OverdueReviews = 4; return in }(), Amber,
			[]string{"4 risks overdue for review"}},

		// Worst wins; every reason is kept, red first.
		{"red and amber", func() HealthInputs {
			in := base()
			in.CriticalOutOfAppetite, in.HighOutOfAppetite, in.OverdueReviews = 1, 2, 1
			return in
		}(), Red, []string{
			"1 open risk with a Critical residual score, out of appetite",
			"2 open risks with a High residual score, out of appetite",
			"1 risk overdue for review",
		}},
		{"key milestones are not counted again as late", func() HealthInputs { in := base(); in.KeyLateOver30, in.Late = 1, 3; return in }(), Red,
			[]string{"1 key milestone more than 30 days late", "2 milestones late"}},
		{"everything at once", func() HealthInputs {
			in := bot(30, 50)
			in.CriticalOutOfAppetite, in.HighOutOfAppetite, in.OverdueReviews = 1, 1, 1
			in.SLAMet, in.SLAMeasured = 17, 20
			in.SavingsNet, in.SavingsPlan = 9000000, 10000000
			in.KeyLateOver30, in.Late = 1, 2
			return in
		}(), Red, []string{
			"1 open risk with a Critical residual score, out of appetite",
			"SLA attainment 85.0 % in 2026-Q2 (17 of 20 met), below 90 %",
			"1 key milestone more than 30 days late",
			"transfer due in 30 days with readiness 50 %, below 70 %",
			"net savings year to date at 90.0 % of plan, below 95 %",
			"1 open risk with a High residual score, out of appetite",
			"1 milestone late",
			"1 risk overdue for review",
		}},
		{"several ambers", func() HealthInputs {
			in := base()
			in.SLAMet, in.SLAMeasured = 9, 10
			in.SavingsNet, in.SavingsPlan = 9000000, 10000000
			in.Late = 1
			return in
		}(), Amber, []string{
			"SLA attainment 90.0 % in 2026-Q2 (9 of 10 met), below 95 %",
			"net savings year to date at 90.0 % of plan, below 95 %",
			"1 milestone late",
		}},
	}
	for _, tt := range tests {
		colour, reasons := Health(tt.in)
		if colour != tt.colour || !reflect.DeepEqual(reasons, tt.reasons) {
			t.Errorf("%s: Health = %s %q; want %s %q", tt.name, colour, reasons, tt.colour, tt.reasons)
		}
	}
}

func TestHealthLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{Red: "Red", Amber: "Amber", Green: "Green", "": "Unknown"} {
		if got := HealthLabel(in); got != want {
			t.Errorf("HealthLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
