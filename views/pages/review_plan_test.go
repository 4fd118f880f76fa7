package pages

import "testing"

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
		{1, 0, "USD", "no plan"},
	} {
		if got := ofPlanText(c.net, c.plan, c.cur); got != c.want {
			t.Errorf("ofPlanText(%d, %d) = %q, want %q", c.net, c.plan, got, c.want)
		}
	}
}
