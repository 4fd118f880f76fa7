package models

import "math/big"

// sumSplit is Sum (savings.go) computed faster, with the same exact result:
// the dashboard converts ~100 monthly sums per view, and Sum's big.Rat
// additions (a GCD each, nine per row) were a third of its time.
//
// Every amount is minor × rate with rate = p/q. With D the least common
// multiple of the rates' denominators, minor × rate = minor × (p × D/q) / D, so
// each figure is an integer sum over one denominator, reduced once at the end.
// Recurring, gross and net are derived from the summed parts (conversion is
// linear), as their definitions have them. Rates are looked up through
// rates.Rate, so the rates used and missing are recorded as Sum records them.
func sumSplit(rows []CostSums, rates *Rates) Split {
	type acc struct {
		baseline, fees, retained, credits, oneOff, planned big.Int
		months                                             map[string]bool
		carried                                            map[string]bool
	}
	var hard, avoid acc
	mult := make([]*big.Rat, len(rows))
	den := big.NewInt(1)
	var g big.Int
	for i, c := range rows {
		r, wasCarried := rates.rate(c.Currency, c.Month)
		if wasCarried {
			a := &hard
			if c.SavingsType == SavingsAvoidance {
				a = &avoid
			}
			if a.carried == nil {
				a.carried = map[string]bool{}
			}
			a.carried[c.Currency+" "+c.Month.MonthStart().String()] = true
		}
		if r != nil {
			mult[i] = r
			// den = lcm(den, q)
			g.GCD(nil, nil, den, r.Denom())
			den.Mul(den, new(big.Int).Quo(r.Denom(), &g))
		}
	}
	var m, t big.Int
	for i, c := range rows {
		a := &hard
		if c.SavingsType == SavingsAvoidance {
			a = &avoid
		}
		if a.months == nil {
			a.months = map[string]bool{}
		}
		a.months[c.Month.MonthStart().String()] = true
		if r := mult[i]; r != nil {
			m.Quo(den, r.Denom())
			m.Mul(&m, r.Num())
		} else {
			m.Set(den)
		}
		for _, f := range []struct {
			sum   *big.Int
			minor int64
		}{{&a.baseline, c.Baseline}, {&a.fees, c.VendorFees}, {&a.retained, c.Retained}, {&a.credits, c.Credits},
			{&a.oneOff, c.OneOff}, {&a.planned, c.Planned}} {
			if f.minor != 0 {
				f.sum.Add(f.sum, t.Mul(t.SetInt64(f.minor), &m))
			}
		}
	}
	exact := func(n *big.Int) Exact {
		var e Exact
		e.r.SetFrac(n, den)
		return e
	}
	savings := func(a *acc) Savings {
		var recurring, gross, net big.Int
		recurring.Add(&a.fees, &a.retained)
		recurring.Sub(&recurring, &a.credits)
		gross.Sub(&a.baseline, &recurring)
		net.Sub(&gross, &a.oneOff)
		return Savings{Baseline: exact(&a.baseline), VendorFees: exact(&a.fees), Retained: exact(&a.retained),
			Credits: exact(&a.credits), Recurring: exact(&recurring), OneOff: exact(&a.oneOff), Gross: exact(&gross),
			Net: exact(&net), Planned: exact(&a.planned), Months: len(a.months), Provisional: rates.labels(a.carried)}
	}
	return Split{Hard: savings(&hard), Avoidance: savings(&avoid)}
}
