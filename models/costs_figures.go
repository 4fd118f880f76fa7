package models

// SavingsFigures are the savings of a slice of the portfolio as at a fiscal
// quarter, converted to the reporting currency month by month, with hard
// savings and cost avoidance always apart (each Split keeps them so).
type SavingsFigures struct {
	AsAt       Quarter // the quarter the figures are for
	InProgress bool    // AsAt has not ended yet: its figures are to date
	Quarter    Split   // the months of AsAt
	YTD        Split   // from the fiscal year's first month to the end of AsAt
	Cumulative Split   // every month up to the end of AsAt
	// RunRateQ is the last complete quarter at AsAt (AsAt itself once it has
	// ended); RunRateBase its sums. The run-rate annualises it and is shown
	// apart from the in-year figures.
	RunRateQ    Quarter
	RunRateBase Split
	Quarters    []Quarter // every quarter with records up to AsAt, oldest first
	ByQuarter   map[Quarter]Split
}

// NewSavingsFigures computes the figures of monthly sums (any currencies, any
// months: months after AsAt are left out) as at quarter asAt on day today.
func NewSavingsFigures(rows []CostSums, rates *Rates, f Fiscal, asAt Quarter, today Date) SavingsFigures {
	end := f.End(asAt)
	out := SavingsFigures{AsAt: asAt, InProgress: !today.After(end), RunRateQ: asAt}
	if out.InProgress {
		out.RunRateQ = asAt.Prev()
	}
	ytdFrom := f.YearStart(asAt.Year)
	var upTo, inQ, ytd, rr []CostSums
	for _, c := range rows {
		if c.Month.After(end) {
			continue
		}
		upTo = append(upTo, c)
		q := f.QuarterOf(c.Month)
		if q == asAt {
			inQ = append(inQ, c)
		}
		if q == out.RunRateQ {
			rr = append(rr, c)
		}
		if !c.Month.Before(ytdFrom) {
			ytd = append(ytd, c)
		}
	}
	out.Quarter, out.YTD, out.Cumulative, out.RunRateBase = Sum(inQ, rates), Sum(ytd, rates), Sum(upTo, rates), Sum(rr, rates)
	out.Quarters, out.ByQuarter = ByQuarter(upTo, rates, f)
	return out
}

// RunRate is the annualised gross savings of a type: RunRateQ's gross savings × 4.
func (s SavingsFigures) RunRate(savingsType string) Exact {
	return RunRate(*s.RunRateBase.Of(savingsType))
}

// LastQuarters is the trend: the n quarters up to AsAt, oldest first, without
// gaps (a quarter with no records is there, empty), and none before the first
// quarter with records.
func (s SavingsFigures) LastQuarters(n int) []Quarter {
	if len(s.Quarters) == 0 {
		return nil
	}
	first := s.Quarters[0]
	var out []Quarter
	for q := s.AsAt; len(out) < n && !q.Before(first); q = q.Prev() {
		out = append([]Quarter{q}, out...)
	}
	return out
}
