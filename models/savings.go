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

// Rates converts each currency to the reporting currency, per month.
type Rates struct {
	Reporting string
	byKey     map[string]*big.Rat // "EUR 2026-07-01"
	text      map[string]string   // the rate as stored ("0.011345"), shown as used
	used      map[string]string
	missing   map[string]bool
	latest    map[string]Date // currency → its most recent rated month
}

// NewRates builds a rate table from stored rates.
func NewRates(reporting string, rows []FXRate) *Rates {
	r := &Rates{Reporting: reporting, byKey: map[string]*big.Rat{}, text: map[string]string{}, used: map[string]string{}, missing: map[string]bool{}, latest: map[string]Date{}}
	for _, x := range rows {
		if x.Month.IsZero() {
			continue
		}
		txt := strings.TrimSpace(x.Rate)
		if v, ok := new(big.Rat).SetString(txt); ok {
			m := x.Month.MonthStart()
			k := x.Currency + " " + m.String()
			r.byKey[k], r.text[k] = v, txt
			if m.After(r.latest[x.Currency]) {
				r.latest[x.Currency] = m
			}
		}
	}
	return r
}

// LatestRate converts at a currency's most recent rate: contract values are not dated.
func (r *Rates) LatestRate(cur string) *big.Rat {
	if r == nil || cur == r.Reporting {
		return nil
	}
	m, ok := r.latest[cur]
	if !ok {
		r.missing[cur+" (no rate at all)"] = true
		return nil
	}
	return r.Rate(cur, m)
}

// Rate gives the rate for a currency and month (nil for the reporting currency).
// It records the rate as used, exactly as stored; a missing rate is recorded as
// missing and counts as 1. A nil table converts nothing.
func (r *Rates) Rate(cur string, month Date) *big.Rat {
	if r == nil || cur == r.Reporting {
		return nil
	}
	if month.IsZero() {
		r.missing[cur+" (no month)"] = true
		return nil
	}
	month = month.MonthStart()
	k := cur + " " + month.String()
	v, ok := r.byKey[k]
	if !ok {
		r.missing[cur+" "+month.String()[:7]] = true
		return nil
	}
	r.used[k] = r.text[k]
	return v
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

// Missing lists currency-months without a rate (converted at 1, and flagged on the page).
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
	for _, c := range rows {
		t := c.SavingsType
		if t != SavingsAvoidance {
			t = SavingsHard
		}
		s.Of(t).Add(c, rates.Rate(c.Currency, c.Month))
		months[t][c.Month.MonthStart().String()] = true
	}
	s.Hard.Months, s.Avoidance.Months = len(months[SavingsHard]), len(months[SavingsAvoidance])
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
