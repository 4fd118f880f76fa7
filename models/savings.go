package models

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// CostSums are summed cost-record amounts for one currency, month and savings type,
// as the aggregate queries return them.
type CostSums struct {
	Currency    string
	Month       Date
	SavingsType string
	Baseline    int64
	VendorFees  int64
	Retained    int64
	OneOff      int64
	Credits     int64
	Planned     int64
}

// Recurring is vendor fees + retained organisation − service credits.
func (c CostSums) Recurring() int64 { return c.VendorFees + c.Retained - c.Credits }

// Gross is baseline − recurring cost.
func (c CostSums) Gross() int64 { return c.Baseline - c.Recurring() }

// Net is gross savings − one-off transition cost.
func (c CostSums) Net() int64 { return c.Gross() - c.OneOff }

// Savings are the money figures of a period in the reporting currency, exact.
type Savings struct {
	Baseline, VendorFees, Retained, Credits, Recurring, OneOff, Gross, Net, Planned Exact
	Months                                                                          int // distinct months with records
	// Provisional names each currency-month converted at a rate carried from
	// another month ("INR Dec 2026 at Nov 2026's rate"): the figures are
	// provisional until that month's rate is recorded, and say so.
	Provisional []string
}

// Add accumulates sums converted at rate.
func (s *Savings) Add(c CostSums, rate *big.Rat) {
	s.Baseline.Add(c.Baseline, rate)
	s.VendorFees.Add(c.VendorFees, rate)
	s.Retained.Add(c.Retained, rate)
	s.Credits.Add(c.Credits, rate)
	s.Recurring.Add(c.Recurring(), rate)
	s.OneOff.Add(c.OneOff, rate)
	s.Gross.Add(c.Gross(), rate)
	s.Net.Add(c.Net(), rate)
	s.Planned.Add(c.Planned, rate)
}

// Pct is net realised savings as a % of baseline.
func (s Savings) Pct() (float64, bool) { return Percent(s.Net.Rat(), s.Baseline.Rat()) }

// Variance is net realised savings − planned savings.
func (s Savings) Variance() Exact {
	v := s.Net
	v.Sub(s.Planned)
	return v
}

// OfPlan is net realised savings as a % of planned savings.
func (s Savings) OfPlan() (float64, bool) { return Percent(s.Net.Rat(), s.Planned.Rat()) }

// OfPlanText is OfPlan written with one decimal, rounded once on the exact
// sums ("100.3 %"), or "—" unless the plan is positive: a share of a zero or
// negative plan (transition months, planned as a cost) reads backwards
// (−$274,090 against −$274,384 would be "99.9 %" though it beat the plan); the
// variance says it instead.
func (s Savings) OfPlanText() string {
	if s.Planned.Sign() <= 0 {
		return "—"
	}
	return PercentText(s.Net.Rat(), s.Planned.Rat())
}

// PctText is Pct written with one decimal, rounded once on the exact sums.
func (s Savings) PctText() string { return PercentText(s.Net.Rat(), s.Baseline.Rat()) }

// HasData reports whether any record was summed.
func (s Savings) HasData() bool { return s.Months > 0 }

// Split keeps hard savings and cost avoidance apart.
type Split struct {
	Hard, Avoidance Savings
}

// Of returns the savings of a type.
func (s *Split) Of(t string) *Savings {
	if t == SavingsAvoidance {
		return &s.Avoidance
	}
	return &s.Hard
}

// Rates converts each currency to the reporting currency, per month. A month
// without a rate converts at the latest earlier rate of its currency (or, before
// its first, the earliest), and the figure is provisional (Savings.Provisional,
// Rates.Provisional); a currency with no rate at all is not converted, never
// counted 1:1: its amounts count as nothing and it is listed as missing.
type Rates struct {
	Reporting   string
	byKey       map[string]*big.Rat // "EUR 2026-07-01"
	text        map[string]string   // the rate as stored ("0.011345"), shown as used
	used        map[string]string
	missing     map[string]bool
	latest      map[string]Date   // currency → its most recent rated month
	months      map[string][]Date // currency → its rated months, in order
	provisional map[string]string // "INR 2026-12-01" → the month whose rate it took, "2026-11-01"
}

// RateApplied is how a currency-month converts, exactly as Sum converts it.
type RateApplied struct {
	Rate     *big.Rat // nil for the reporting currency (not converted); 0 when Missing
	Text     string   // the rate as stored ("0.011345"); "1" for the reporting currency
	From     Date     // the month whose rate it is (the month itself unless Carried)
	Carried  bool     // the month has no rate of its own: the figure is provisional
	Missing  bool     // the currency has no rate at all: its amounts count as nothing
	Currency string
}

// Applied says which rate converts amounts of cur in month, as the savings
// figures apply it (carried forward as Rate does; recorded as used).
func (r *Rates) Applied(cur string, month Date) RateApplied {
	if r == nil || cur == r.Reporting {
		return RateApplied{Text: "1", From: month.MonthStart(), Currency: cur}
	}
	v, carried := r.rate(cur, month)
	out := RateApplied{Rate: v, Carried: carried, Currency: cur}
	m := month.MonthStart()
	if month.IsZero() || len(r.months[cur]) == 0 {
		out.Missing = true
		return out
	}
	out.From = m
	if carried {
		out.From, _ = ParseDate(r.provisional[cur+" "+m.String()])
	}
	out.Text = r.text[cur+" "+out.From.String()]
	return out
}

// Convert is minor units of the applied currency in the reporting currency,
// exactly (a rate has at most 10 decimal places, so the amount has at most 12).
func (a RateApplied) Convert(minor int64) Exact {
	var e Exact
	e.Add(minor, a.Rate)
	return e
}

// ProvisionalRate is a month converted at another month's rate.
type ProvisionalRate struct {
	Currency, Month, From, Rate string // months as YYYY-MM
}

// Short names the month and the rate it took: "INR Dec 2026 (Nov 2026's rate)".
func (p ProvisionalRate) Short() string {
	m, _ := ParseDate(p.Month + "-01")
	f, _ := ParseDate(p.From + "-01")
	return p.Currency + " " + m.Format("Jan 2006") + " (" + f.Format("Jan 2006") + "'s rate)"
}

// Label says it as a page does: "INR Dec 2026 at Nov 2026's rate".
func (p ProvisionalRate) Label() string {
	m, _ := ParseDate(p.Month + "-01")
	f, _ := ParseDate(p.From + "-01")
	return p.Currency + " " + m.Format("Jan 2006") + " at " + f.Format("Jan 2006") + "'s rate"
}

// NewRates builds a rate table from stored rates.
func NewRates(reporting string, rows []FXRate) *Rates {
	r := &Rates{Reporting: reporting, byKey: map[string]*big.Rat{}, text: map[string]string{}, used: map[string]string{}, missing: map[string]bool{},
		latest: map[string]Date{}, months: map[string][]Date{}, provisional: map[string]string{}}
	for _, x := range rows {
		if x.Month.IsZero() {
			continue
		}
		txt := strings.TrimSpace(x.Rate)
		if v, ok := new(big.Rat).SetString(txt); ok {
			m := x.Month.MonthStart()
			k := x.Currency + " " + m.String()
			if _, seen := r.byKey[k]; !seen {
				r.months[x.Currency] = append(r.months[x.Currency], m)
			}
			r.byKey[k], r.text[k] = v, txt
			if m.After(r.latest[x.Currency]) {
				r.latest[x.Currency] = m
			}
		}
	}
	for _, ms := range r.months {
		sort.Slice(ms, func(i, j int) bool { return ms[i].Before(ms[j]) })
	}
	return r
}

// LatestRate converts at a currency's most recent rate: contract values are
// not dated. A currency with no rate at all gives 0 (not converted, listed as
// missing), never 1.
func (r *Rates) LatestRate(cur string) *big.Rat {
	if r == nil || cur == r.Reporting {
		return nil
	}
	m, ok := r.latest[cur]
	if !ok {
		r.missing[cur+" (no rate at all)"] = true
		return new(big.Rat)
	}
	return r.Rate(cur, m)
}

// Rate gives the rate for a currency and month (nil for the reporting
// currency: a nil table converts nothing). It records the rate as used,
// exactly as stored. A month without its own rate takes the latest earlier
// one (before the first, the earliest), recorded as provisional; a currency
// with no rate at all gives 0, recorded as missing: never 1.
func (r *Rates) Rate(cur string, month Date) *big.Rat {
	v, _ := r.rate(cur, month)
	return v
}

// rate is Rate, also saying whether the rate was carried from another month.
func (r *Rates) rate(cur string, month Date) (*big.Rat, bool) {
	if r == nil || cur == r.Reporting {
		return nil, false
	}
	ms := r.months[cur]
	switch {
	case month.IsZero():
		r.missing[cur+" (no month)"] = true
		return new(big.Rat), false
	case len(ms) == 0:
		r.missing[cur+" (no rate at all)"] = true
		return new(big.Rat), false
	}
	month = month.MonthStart()
	k := cur + " " + month.String()
	if v, ok := r.byKey[k]; ok {
		r.used[k] = r.text[k]
		return v, false
	}
	from := ms[0]
	for _, m := range ms {
		if m.After(month) {
			break
		}
		from = m
	}
	fk := cur + " " + from.String()
	r.used[fk] = r.text[fk]
	r.provisional[k] = from.String()
	return r.byKey[fk], true
}

// Provisional lists the months converted at another month's rate, by currency then month.
func (r *Rates) Provisional() []ProvisionalRate {
	if r == nil {
		return nil
	}
	out := make([]ProvisionalRate, 0, len(r.provisional))
	for k, from := range r.provisional {
		cur, month, _ := strings.Cut(k, " ")
		out = append(out, ProvisionalRate{Currency: cur, Month: month[:7], From: from[:7], Rate: r.text[cur+" "+from]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Currency != out[j].Currency {
			return out[i].Currency < out[j].Currency
		}
		return out[i].Month < out[j].Month
	})
	return out
}

// RateUsed is one rate a page applied.
type RateUsed struct {
	Currency string
	Month    string
	Rate     string
}

// Used lists the rates applied so far, by currency then month.
func (r *Rates) Used() []RateUsed {
	if r == nil {
		return nil
	}
	out := make([]RateUsed, 0, len(r.used))
	for k, v := range r.used {
		cur, month, _ := strings.Cut(k, " ")
		out = append(out, RateUsed{cur, month[:7], v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Currency != out[j].Currency {
			return out[i].Currency < out[j].Currency
		}
		return out[i].Month < out[j].Month
	})
	return out
}

// Missing lists the currencies with no rate at all (not converted, flagged on the page).
func (r *Rates) Missing() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.missing))
	for k := range r.missing {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Sum converts and adds sums into a split by savings type, counting distinct months.
func Sum(rows []CostSums, rates *Rates) Split {
	var s Split
	months := map[string]map[string]bool{SavingsHard: {}, SavingsAvoidance: {}}
	carried := map[string]map[string]bool{SavingsHard: {}, SavingsAvoidance: {}}
	for _, c := range rows {
		t := c.SavingsType
		if t != SavingsAvoidance {
			t = SavingsHard
		}
		rate, wasCarried := rates.rate(c.Currency, c.Month)
		s.Of(t).Add(c, rate)
		months[t][c.Month.MonthStart().String()] = true
		if wasCarried {
			carried[t][c.Currency+" "+c.Month.MonthStart().String()] = true
		}
	}
	s.Hard.Months, s.Avoidance.Months = len(months[SavingsHard]), len(months[SavingsAvoidance])
	s.Hard.Provisional, s.Avoidance.Provisional = rates.labels(carried[SavingsHard]), rates.labels(carried[SavingsAvoidance])
	return s
}

// ByQuarter groups sums into fiscal quarters, oldest first.
func ByQuarter(rows []CostSums, rates *Rates, f Fiscal) ([]Quarter, map[Quarter]Split) {
	groups := map[Quarter][]CostSums{}
	for _, c := range rows {
		q := f.QuarterOf(c.Month)
		groups[q] = append(groups[q], c)
	}
	qs := make([]Quarter, 0, len(groups))
	out := make(map[Quarter]Split, len(groups))
	for q, g := range groups {
		qs = append(qs, q)
		out[q] = Sum(g, rates)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].Before(qs[j]) })
	return qs, out
}

// RunRate is the gross savings of a quarter × 4: an annualised figure kept apart from in-year totals.
func RunRate(lastQuarter Savings) Exact {
	var r Exact
	r.r.Mul(lastQuarter.Gross.Rat(), big.NewRat(4, 1))
	return r
}

// Payback finds the first month in which cumulative gross savings cover cumulative
// one-off cost. rows must be one engagement's months (one currency), oldest first;
// a month may have several rows (one per savings type), and it is judged on all of
// them together, never part-way through. There is no payback without a one-off cost.
func Payback(rows []CostSums) (Date, bool) {
	var gross, oneOff int64
	for i, c := range rows {
		gross += c.Gross()
		oneOff += c.OneOff
		if i+1 < len(rows) && rows[i+1].Month.MonthStart().Equal(c.Month.MonthStart().Time) {
			continue // the month is not complete yet
		}
		if oneOff > 0 && gross >= oneOff {
			return c.Month.MonthStart(), true
		}
	}
	return Date{}, false
}

// FormatPct writes a percentage with one decimal ("87.5 %", "−12.5 %"), or "—"
// when undefined. Negatives take the minus sign money uses; −0.04 % is "0.0 %".
func FormatPct(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	s := fmt.Sprintf("%.1f", v)
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		s = rest
		if rest != "0.0" {
			s = "−" + rest
		}
	}
	return s + " %"
}

// PercentText writes 100·a/b with one decimal, rounded half-even on the exact
// fraction (never a float), in FormatPct's style ("100.3 %", "−12.5 %"), or
// "—" when b is zero.
func PercentText(a, b *big.Rat) string {
	if b.Sign() == 0 {
		return "—"
	}
	tenths := RoundHalfEven(new(big.Rat).Quo(new(big.Rat).Mul(a, big.NewRat(1000, 1)), b))
	sign := ""
	if tenths < 0 {
		sign, tenths = "−", -tenths
	}
	return fmt.Sprintf("%s%s.%d %%", sign, groupThousands(tenths/10), tenths%10)
}

// SignedWhole writes an exact sum in whole units of cur with its sign always
// shown ("+$1,235", "−$23,564", "$0"): a variance, which reads wrongly unsigned.
func SignedWhole(e Exact, cur string) string {
	m := Money{Minor: e.Units() * 100, Currency: cur}
	if m.Minor > 0 {
		return "+" + m.Whole()
	}
	return m.Whole()
}

// labels turns carried currency-months ("INR 2026-12-01") into their
// provisional labels, in order (nil when none).
func (r *Rates) labels(carried map[string]bool) []string {
	if len(carried) == 0 {
		return nil
	}
	keys := make([]string, 0, len(carried))
	for k := range carried {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		cur, month, _ := strings.Cut(k, " ")
		out[i] = ProvisionalRate{Currency: cur, Month: month[:7], From: r.provisional[k][:7]}.Label()
	}
	return out
}
