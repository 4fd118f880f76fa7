package models

import (
	"math/big"
	"reflect"
	"testing"
	"time"
)

// usd formats an exact sum as the page shows it, rounded once.
func usd(e Exact) string { return e.Money("USD").String() }

func TestSavingsCostSums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		c                     CostSums
		recurring, gross, net int64
	}{
		{"hand-checked", CostSums{Baseline: 10000000, VendorFees: 7000000, Retained: 1000000, Credits: 200000, OneOff: 500000},
			7800000, 2200000, 1700000},
		{"no credits, no one-off", CostSums{Baseline: 10000000, VendorFees: 7000000, Retained: 1000000},
			8000000, 2000000, 2000000},
		{"costs more than baseline", CostSums{Baseline: 5000000, VendorFees: 5500000, Retained: 500000, OneOff: 1000000},
			6000000, -1000000, -2000000},
		{"credits only", CostSums{Baseline: 0, Credits: 12345},
			-12345, 12345, 12345},
	}
	for _, tt := range tests {
		if got := tt.c.Recurring(); got != tt.recurring {
			t.Errorf("%s: Recurring() = %d, want %d", tt.name, got, tt.recurring)
		}
		if got := tt.c.Gross(); got != tt.gross {
			t.Errorf("%s: Gross() = %d, want %d", tt.name, got, tt.gross)
		}
		if got := tt.c.Net(); got != tt.net {
			t.Errorf("%s: Net() = %d, want %d", tt.name, got, tt.net)
		}
	}
}

func TestSumSplitsHardAndAvoidance(t *testing.T) {
	t.Parallel()
	jan, feb := D(2026, 1, 1), D(2026, 2, 1)
	rows := []CostSums{
		// hand-checked month: recurring 78,000.00, gross 22,000.00, net 17,000.00
		{Currency: "USD", Month: jan, SavingsType: SavingsHard, Baseline: 10000000, VendorFees: 7000000, Retained: 1000000, Credits: 200000, OneOff: 500000, Planned: 1500000},
		{Currency: "USD", Month: jan, SavingsType: SavingsAvoidance, Baseline: 3000000, VendorFees: 2500000, Planned: 400000},
		{Currency: "USD", Month: feb, SavingsType: SavingsHard, Baseline: 10000000, VendorFees: 7000000, Retained: 1000000, Planned: 2000000},
		{Currency: "USD", Month: feb, SavingsType: "", Baseline: 100000, VendorFees: 50000}, // untyped counts as hard
	}
	s := Sum(rows, NewRates("USD", nil))
	h, a := s.Hard, s.Avoidance
	checks := []struct {
		name string
		got  Exact
		want string
	}{
		{"hard baseline", h.Baseline, "$201,000.00"},
		{"hard vendor fees", h.VendorFees, "$140,500.00"},
		{"hard retained", h.Retained, "$20,000.00"},
		{"hard credits", h.Credits, "$2,000.00"},
		{"hard recurring", h.Recurring, "$158,500.00"},
		{"hard one-off", h.OneOff, "$5,000.00"},
		{"hard gross", h.Gross, "$42,500.00"},
		{"hard net", h.Net, "$37,500.00"},
		{"hard planned", h.Planned, "$35,000.00"},
		{"hard variance", h.Variance(), "$2,500.00"},
		{"avoidance baseline", a.Baseline, "$30,000.00"},
		{"avoidance gross", a.Gross, "$5,000.00"},
		{"avoidance net", a.Net, "$5,000.00"},
		{"avoidance planned", a.Planned, "$4,000.00"},
		{"avoidance variance", a.Variance(), "$1,000.00"},
	}
	for _, c := range checks {
		if got := usd(c.got); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
	if h.Months != 2 || a.Months != 1 {
		t.Errorf("months: hard %d, avoidance %d; want 2 and 1", h.Months, a.Months)
	}
	if !h.HasData() || !a.HasData() || (Savings{}).HasData() {
		t.Error("HasData")
	}
	// 37,500 / 201,000 = 18.66 %; of plan 37,500 / 35,000 = 107.14 %.
	if got := FormatPct(h.Pct()); got != "18.7 %" {
		t.Errorf("hard Pct = %s, want 18.7 %%", got)
	}
	if got := FormatPct(h.OfPlan()); got != "107.1 %" {
		t.Errorf("hard OfPlan = %s, want 107.1 %%", got)
	}
	if got := FormatPct(a.OfPlan()); got != "125.0 %" {
		t.Errorf("avoidance OfPlan = %s, want 125.0 %%", got)
	}
	if got := FormatPct((Savings{}).Pct()); got != "—" {
		t.Errorf("empty Pct = %s, want —", got)
	}
	if s.Of(SavingsAvoidance) != &s.Avoidance || s.Of(SavingsHard) != &s.Hard || s.Of("other") != &s.Hard {
		t.Error("Split.Of picks the wrong savings")
	}
}

func TestSumHandChecked(t *testing.T) {
	t.Parallel()
	// One month: baseline 100,000.00, fees 70,000.00, retained 10,000.00,
	// credits 2,000.00, one-off 5,000.00, planned 20,000.00.
	rows := []CostSums{{Currency: "USD", Month: D(2026, 7, 1), SavingsType: SavingsHard,
		Baseline: 10000000, VendorFees: 7000000, Retained: 1000000, Credits: 200000, OneOff: 500000, Planned: 2000000}}
	s := Sum(rows, NewRates("USD", nil)).Hard
	for name, c := range map[string]struct {
		got  Exact
		want string
	}{
		"recurring": {s.Recurring, "$78,000.00"},
		"gross":     {s.Gross, "$22,000.00"},
		"net":       {s.Net, "$17,000.00"},
		"variance":  {s.Variance(), "−$3,000.00"},
	} {
		if got := usd(c.got); got != c.want {
			t.Errorf("%s = %s, want %s", name, got, c.want)
		}
	}
	if got := FormatPct(s.Pct()); got != "17.0 %" {
		t.Errorf("Pct = %s, want 17.0 %%", got)
	}
	if got := FormatPct(s.OfPlan()); got != "85.0 %" {
		t.Errorf("OfPlan = %s, want 85.0 %%", got)
	}
}

func TestSumCountsMonths(t *testing.T) {
	t.Parallel()
	rows := []CostSums{
		{Currency: "USD", Month: D(2026, 1, 1), SavingsType: SavingsHard, Baseline: 100},
		{Currency: "USD", Month: D(2026, 1, 1), SavingsType: SavingsHard, Baseline: 100}, // second engagement, same month
		{Currency: "USD", Month: D(2026, 2, 1), SavingsType: SavingsHard, Baseline: 100},
		{Currency: "USD", Month: D(2026, 3, 1), SavingsType: SavingsAvoidance, Baseline: 100},
	}
	s := Sum(rows, NewRates("USD", nil))
	if s.Hard.Months != 2 || s.Avoidance.Months != 1 {
		t.Errorf("months: hard %d, avoidance %d; want 2 and 1", s.Hard.Months, s.Avoidance.Months)
	}
	if e := Sum(nil, NewRates("USD", nil)); e.Hard.HasData() || e.Avoidance.HasData() {
		t.Error("an empty sum has data")
	}
}

func fxRows() []FXRate {
	return []FXRate{
		{Currency: "EUR", Month: D(2026, 6, 1), Rate: "1.0800"},
		{Currency: "EUR", Month: D(2026, 7, 1), Rate: "1.0825"},
		{Currency: "GBP", Month: D(2026, 7, 1), Rate: "1.2710"},
		{Currency: "INR", Month: D(2026, 7, 1), Rate: "0.011345"},
		{Currency: "CHF", Month: D(2026, 7, 1), Rate: "not a rate"},
	}
}

func TestSumConvertsCurrencies(t *testing.T) {
	t.Parallel()
	jul, aug := D(2026, 7, 1), D(2026, 8, 1)
	rates := NewRates("USD", fxRows())
	rows := []CostSums{
		{Currency: "EUR", Month: jul, SavingsType: SavingsHard, Baseline: 100000},   // €1,000.00 → $1,082.50
		{Currency: "INR", Month: jul, SavingsType: SavingsHard, Baseline: 10000000}, // ₹100,000.00 → $1,134.50
		{Currency: "USD", Month: jul, SavingsType: SavingsHard, Baseline: 50000},    // $500.00 as is
		{Currency: "GBP", Month: aug, SavingsType: SavingsHard, Baseline: 20000},    // no August rate: July's 1.2710, provisional → $254.20
		{Currency: "CHF", Month: jul, SavingsType: SavingsHard, Baseline: 10000},    // no readable rate at all: not converted, never 1:1
	}
	s := Sum(rows, rates)
	if got := usd(s.Hard.Baseline); got != "$2,971.20" {
		t.Errorf("baseline = %s, want $2,971.20 (1,082.50 + 1,134.50 + 500 + 254.20, CHF left out)", got)
	}
	want := []RateUsed{{"EUR", "2026-07", "1.0825"}, {"GBP", "2026-07", "1.2710"}, {"INR", "2026-07", "0.011345"}}
	if got := rates.Used(); !reflect.DeepEqual(got, want) {
		t.Errorf("Used() = %v, want %v", got, want)
	}
	if got := rates.Missing(); !reflect.DeepEqual(got, []string{"CHF (no rate at all)"}) {
		t.Errorf("Missing() = %v, want [CHF (no rate at all)]", got)
	}
	if got := rates.Provisional(); !reflect.DeepEqual(got, []ProvisionalRate{{"GBP", "2026-08", "2026-07", "1.2710"}}) {
		t.Errorf("Provisional() = %v", got)
	}
	if got := s.Hard.Provisional; !reflect.DeepEqual(got, []string{"GBP Aug 2026 at Jul 2026's rate"}) {
		t.Errorf("the figure's provisional note: %v", got)
	}
	// The same figures through the faster sum.
	if fast := sumSplit(rows, NewRates("USD", fxRows())); usd(fast.Hard.Baseline) != "$2,971.20" || !reflect.DeepEqual(fast.Hard.Provisional, s.Hard.Provisional) {
		t.Errorf("sumSplit: %s, %v", usd(fast.Hard.Baseline), fast.Hard.Provisional)
	}
}

// A month before a currency's first rate takes the earliest one; a month
// after its last, the latest; each is provisional; a month with its own rate is not.
func TestRatesCarryForward(t *testing.T) {
	t.Parallel()
	rates := NewRates("USD", []FXRate{{Currency: "INR", Month: D(2026, 3, 1), Rate: "0.012"}, {Currency: "INR", Month: D(2026, 11, 1), Rate: "0.011"}})
	for _, tc := range []struct {
		month Date
		want  string
		prov  bool
	}{{D(2026, 1, 1), "0.012", true}, {D(2026, 3, 1), "0.012", false}, {D(2026, 7, 1), "0.012", true}, {D(2026, 11, 1), "0.011", false}, {D(2026, 12, 1), "0.011", true}} {
		r, carried := rates.rate("INR", tc.month)
		if r.FloatString(3) != tc.want || carried != tc.prov {
			t.Errorf("INR %s: %s (carried %v), want %s (carried %v)", tc.month, r.FloatString(3), carried, tc.want, tc.prov)
		}
	}
}

func TestRateExactConversion(t *testing.T) {
	t.Parallel()
	rates := NewRates("USD", fxRows())
	tests := []struct {
		name  string
		cur   string
		month Date
		minor int64
		want  string
	}{
		{"€1,000.00 at 1.0825", "EUR", D(2026, 7, 1), 100000, "$1,082.50"},
		{"€0.01 at 1.0825", "EUR", D(2026, 7, 1), 1, "$0.01"},
		{"€1,234.56 at 1.0825", "EUR", D(2026, 7, 1), 123456, "$1,336.41"}, // 1336.4112
		{"June rate", "EUR", D(2026, 6, 1), 100000, "$1,080.00"},
		{"mid-month day uses the month's rate", "EUR", D(2026, 7, 15), 100000, "$1,082.50"},
		{"£2.00 at 1.2710", "GBP", D(2026, 7, 1), 200, "$2.54"}, // 254.2
		{"reporting currency", "USD", D(2026, 7, 1), 123456, "$1,234.56"},
	}
	for _, tt := range tests {
		var e Exact
		e.Add(tt.minor, rates.Rate(tt.cur, tt.month))
		if got := usd(e); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	if r := rates.Rate("EUR", D(2026, 7, 1)); r.Cmp(big.NewRat(433, 400)) != 0 {
		t.Errorf("EUR July rate = %s, want exactly 433/400", r.RatString())
	}
	if r := rates.Rate("USD", D(2026, 7, 1)); r != nil {
		t.Errorf("reporting currency rate = %v, want nil", r)
	}
	want := []RateUsed{{"EUR", "2026-06", "1.0800"}, {"EUR", "2026-07", "1.0825"}, {"GBP", "2026-07", "1.2710"}}
	if got := rates.Used(); !reflect.DeepEqual(got, want) {
		t.Errorf("Used() = %v, want %v", got, want)
	}
	if got := rates.Missing(); len(got) != 0 {
		t.Errorf("Missing() = %v, want none", got)
	}
}

func TestRateLatestAndMissing(t *testing.T) {
	t.Parallel()
	rates := NewRates("USD", fxRows())
	if r := rates.LatestRate("EUR"); r == nil || r.FloatString(4) != "1.0825" {
		t.Errorf("LatestRate(EUR) = %v, want 1.0825", r)
	}
	if r := rates.LatestRate("USD"); r != nil {
		t.Errorf("LatestRate(USD) = %v, want nil", r)
	}
	if r := rates.LatestRate("JPY"); r == nil || r.Sign() != 0 {
		t.Errorf("LatestRate(JPY) = %v, want 0: not converted, never 1:1", r)
	}
	if r := rates.Rate("EUR", Date{}); r == nil || r.Sign() != 0 {
		t.Errorf("Rate(EUR, zero month) = %v, want 0", r)
	}
	if r := rates.Rate("EUR", D(2026, 9, 1)); r.FloatString(4) != "1.0825" { // July's, carried forward
		t.Errorf("Rate(EUR, Sep) = %v, want July's 1.0825", r)
	}
	want := []string{"EUR (no month)", "JPY (no rate at all)"}
	if got := rates.Missing(); !reflect.DeepEqual(got, want) {
		t.Errorf("Missing() = %v, want %v", got, want)
	}
	if got := rates.Used(); !reflect.DeepEqual(got, []RateUsed{{"EUR", "2026-07", "1.0825"}}) {
		t.Errorf("Used() = %v", got)
	}
	// A nil table converts nothing and reports nothing.
	var none *Rates
	if none.Rate("EUR", D(2026, 7, 1)) != nil || none.Used() != nil || none.Missing() != nil {
		t.Error("nil Rates")
	}
	s := Sum([]CostSums{{Currency: "EUR", Month: D(2026, 7, 1), Baseline: 100}}, nil)
	if got := s.Hard.Baseline.Minor(); got != 100 {
		t.Errorf("Sum with nil rates = %d, want 100", got)
	}
}

func TestRateRoundsOnceAtDisplay(t *testing.T) {
	t.Parallel()
	// €6.00, €14.00 and €22.00 at 1.0825 are $6.495, $15.155 and $23.815, each a
	// tie in cents. Summed exactly: $45.465, rounded once (half-even): $45.46.
	// Rounding each first would give $6.50 + $15.16 + $23.82 = $45.48.
	var fx []FXRate
	var rows []CostSums
	for i, minor := range []int64{600, 1400, 2200} {
		m := D(2026, time.Month(7+i), 1)
		fx = append(fx, FXRate{Currency: "EUR", Month: m, Rate: "1.0825"})
		rows = append(rows, CostSums{Currency: "EUR", Month: m, SavingsType: SavingsHard, Baseline: minor, VendorFees: 0})
	}
	s := Sum(rows, NewRates("USD", fx)).Hard
	if got := usd(s.Baseline); got != "$45.46" {
		t.Errorf("baseline = %s, want $45.46", got)
	}
	if got := usd(s.Gross); got != "$45.46" {
		t.Errorf("gross = %s, want $45.46", got)
	}
	// The run-rate multiplies the exact quarter: 4 × $45.465 = $181.86 exactly.
	if got := usd(RunRate(s)); got != "$181.86" {
		t.Errorf("run-rate = %s, want $181.86", got)
	}
}

func TestRunRate(t *testing.T) {
	t.Parallel()
	rows := []CostSums{
		{Currency: "USD", Month: D(2026, 4, 1), SavingsType: SavingsHard, Baseline: 10000000, VendorFees: 7000000, Retained: 1000000, Credits: 200000, OneOff: 500000},
		{Currency: "USD", Month: D(2026, 5, 1), SavingsType: SavingsHard, Baseline: 10000000, VendorFees: 8000000},
		{Currency: "USD", Month: D(2026, 6, 1), SavingsType: SavingsHard, Baseline: 10000000, VendorFees: 9000000},
	}
	q := Sum(rows, NewRates("USD", nil)).Hard
	// gross 22,000 + 20,000 + 10,000 = 52,000 in the quarter; one-off is not in gross.
	if got := usd(RunRate(q)); got != "$208,000.00" {
		t.Errorf("run-rate = %s, want $208,000.00", got)
	}
	if got := usd(q.Gross); got != "$52,000.00" {
		t.Errorf("quarter gross changed to %s", got)
	}
	if got := usd(RunRate(Savings{})); got != "$0.00" {
		t.Errorf("empty run-rate = %s", got)
	}
}

func TestSumByQuarter(t *testing.T) {
	t.Parallel()
	row := func(y int, m time.Month, gross int64) CostSums {
		return CostSums{Currency: "USD", Month: D(y, m, 1), SavingsType: SavingsHard, Baseline: gross}
	}
	rows := []CostSums{row(2025, 12, 100), row(2026, 1, 200), row(2026, 3, 400), row(2026, 4, 800), row(2026, 6, 1600)}
	tests := []struct {
		name  string
		f     Fiscal
		qs    []string
		gross []int64
		month []int
	}{
		{"January start", Fiscal{time.January}, []string{"2025-Q4", "2026-Q1", "2026-Q2"}, []int64{100, 600, 2400}, []int{1, 2, 2}},
		{"April start", Fiscal{time.April}, []string{"2026-Q3", "2026-Q4", "2027-Q1"}, []int64{100, 600, 2400}, []int{1, 2, 2}},
		{"October start", Fiscal{time.October}, []string{"2026-Q1", "2026-Q2", "2026-Q3"}, []int64{100, 600, 2400}, []int{1, 2, 2}},
		{"December start", Fiscal{time.December}, []string{"2026-Q1", "2026-Q2", "2026-Q3"}, []int64{300, 1200, 1600}, []int{2, 2, 1}},
	}
	for _, tt := range tests {
		qs, by := ByQuarter(rows, NewRates("USD", nil), tt.f)
		var names []string
		for _, q := range qs {
			names = append(names, q.String())
		}
		if !reflect.DeepEqual(names, tt.qs) {
			t.Errorf("%s: quarters %v, want %v", tt.name, names, tt.qs)
			continue
		}
		for i, q := range qs {
			if got := by[q].Hard.Gross.Minor(); got != tt.gross[i] {
				t.Errorf("%s: %s gross = %d, want %d", tt.name, q, got, tt.gross[i])
			}
			if got := by[q].Hard.Months; got != tt.month[i] {
				t.Errorf("%s: %s months = %d, want %d", tt.name, q, got, tt.month[i])
			}
		}
	}
	if qs, by := ByQuarter(nil, NewRates("USD", nil), DefaultFiscal); len(qs) != 0 || len(by) != 0 {
		t.Error("no rows, yet quarters")
	}
}

func TestPayback(t *testing.T) {
	t.Parallel()
	// m builds a month whose gross savings are gross, with a one-off cost.
	m := func(month time.Month, typ string, gross, oneOff int64) CostSums {
		return CostSums{Currency: "USD", Month: D(2026, month, 1), SavingsType: typ,
			Baseline: 1000000 + gross, VendorFees: 1000000, OneOff: oneOff}
	}
	h := SavingsHard
	tests := []struct {
		name string
		rows []CostSums
		want string // "" for none
	}{
		{"equal in March", []CostSums{m(1, h, 1000, 5000), m(2, h, 2000, 0), m(3, h, 2000, 0), m(4, h, 2000, 0)}, "2026-03-01"},
		{"first month", []CostSums{m(1, h, 6000, 5000), m(2, h, 2000, 0)}, "2026-01-01"},
		{"one cent short in March", []CostSums{m(1, h, 1000, 5000), m(2, h, 2000, 0), m(3, h, 1999, 0), m(4, h, 1, 0)}, "2026-04-01"},
		{"never", []CostSums{m(1, h, 1000, 500000), m(2, h, 2000, 0), m(3, h, 2000, 0)}, ""},
		{"no one-off cost", []CostSums{m(1, h, 1000, 0), m(2, h, 2000, 0)}, ""},
		{"no rows", nil, ""},
		{"losses first", []CostSums{m(1, h, -3000, 2000), m(2, h, 4000, 0), m(3, h, 1000, 0)}, "2026-03-01"},
		{"one-off later raises the bar", []CostSums{m(1, h, 1000, 0), m(2, h, 1000, 5000), m(3, h, 2000, 0), m(4, h, 1000, 0)}, "2026-04-01"},
		{"savings before the one-off count", []CostSums{m(1, h, 3000, 0), m(2, h, 2000, 5000)}, "2026-02-01"},
		// A month with two rows (avoidance sorts before hard) is judged whole:
		// after February's avoidance row the total is 7,000 ≥ 5,000, but February
		// as a whole brings it to 4,000; March reaches 5,000.
		{"month judged whole", []CostSums{m(1, h, 1000, 5000), m(2, SavingsAvoidance, 6000, 0), m(2, h, -3000, 0), m(3, h, 1000, 0)}, "2026-03-01"},
	}
	for _, tt := range tests {
		got, ok := Payback(tt.rows)
		if ok != (tt.want != "") || got.String() != tt.want {
			t.Errorf("%s: Payback = %q, %v; want %q", tt.name, got.String(), ok, tt.want)
		}
	}
}

// Applied names the rate Sum converts a currency-month at: its own, a carried
// one (the latest earlier, or before the first the earliest: provisional),
// none for the reporting currency, and missing for a currency with no rate;
// converting every record at it adds up to Sum's figure exactly.
func TestRatesApplied(t *testing.T) {
	t.Parallel()
	oct, nov, dec, sep := D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1), D(2026, 9, 1)
	rates := func() *Rates {
		return NewRates("USD", []FXRate{{Currency: "INR", Month: oct, Rate: "0.012"}, {Currency: "INR", Month: nov, Rate: "0.0125"}})
	}
	r := rates()
	for _, tc := range []struct {
		cur     string
		month   Date
		text    string
		from    Date
		carried bool
		missing bool
	}{
		{"INR", nov, "0.0125", nov, false, false},
		{"INR", dec.AddDays(14), "0.0125", nov, true, false},
		{"INR", sep, "0.012", oct, true, false},
		{"USD", dec, "1", dec, false, false},
		{"BRL", dec, "", Date{}, false, true},
	} {
		a := r.Applied(tc.cur, tc.month)
		if a.Text != tc.text || !a.From.Equal(tc.from.Time) || a.Carried != tc.carried || a.Missing != tc.missing {
			t.Errorf("%s %s: %+v", tc.cur, tc.month, a)
		}
	}
	rows := []CostSums{{Currency: "INR", Month: nov, Baseline: 1_000_001}, {Currency: "INR", Month: dec, Baseline: 333_333},
		{Currency: "USD", Month: dec, Baseline: 50_00}, {Currency: "BRL", Month: dec, Baseline: 70_00}}
	var sum Exact
	r = rates()
	for _, c := range rows {
		if a := r.Applied(c.Currency, c.Month); !a.Missing {
			sum.AddExact(a.Convert(c.Baseline))
		}
	}
	if want := Sum(rows, rates()).Hard.Baseline; sum.Rat().Cmp(want.Rat()) != 0 {
		t.Errorf("converted one by one %s, Sum %s", sum.Rat().FloatString(6), want.Rat().FloatString(6))
	}
}

func TestPercentTextRoundsTheExactRatioOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b int64
		want string
	}{
		{10029, 10000, "100.3 %"},
		{9989, 10000, "99.9 %"},
		{20_975_436_00, 21_000_000_00, "99.9 %"}, // −$24,564 against a $21m plan
		{1, 2000, "0.0 %"},                       // 0.05: half-even to 0.0
		{3, 2000, "0.2 %"},                       // 0.15: half-even to 0.2
		{-125, 1000, "−12.5 %"},
		{-1, 10000, "0.0 %"},
		{123456, 10, "1,234,560.0 %"},
		{5, 0, "—"},
	} {
		if got := PercentText(big.NewRat(c.a, 1), big.NewRat(c.b, 1)); got != c.want {
			t.Errorf("PercentText(%d, %d) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestSignedWholeMarksTheSign(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		minor int64
		want  string
	}{{-2_356_400, "−$23,564"}, {2_356_449, "+$23,564"}, {40, "$0"}, {-40, "$0"}, {0, "$0"}} {
		var e Exact
		e.Add(c.minor, nil)
		if got := SignedWhole(e, "USD"); got != c.want {
			t.Errorf("SignedWhole(%d) = %q, want %q", c.minor, got, c.want)
		}
	}
}

func TestOfPlanTextOnlyOfAPositivePlan(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		net, plan int64
		want      string
	}{{10029, 10000, "100.3 %"}, {-27_409_000, -27_438_400, "—"}, {500, 0, "—"}} {
		var s Savings
		s.Net.Add(c.net, nil)
		s.Planned.Add(c.plan, nil)
		if got := s.OfPlanText(); got != c.want {
			t.Errorf("net %d, plan %d: %q, want %q", c.net, c.plan, got, c.want)
		}
	}
}
