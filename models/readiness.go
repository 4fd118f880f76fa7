package models

// Readiness is Σ weight × progress as a % of the total weight (100 by default),
// where progress is 0, ½ or 1. It returns false when there are no items.
func Readiness(items []ReadinessItem) (float64, bool) {
	var got, total int
	for _, it := range items {
		got += it.Weight * it.Status
		total += it.Weight * ReadinessDone
	}
	if total == 0 {
		return 0, false
	}
	return 100 * float64(got) / float64(total), true
}

// ReadinessStatusLabel names a readiness status.
func ReadinessStatusLabel(s int) string {
	switch s {
	case ReadinessDone:
		return "Done"
	case ReadinessInProgress:
		return "In progress"
	}
	return "Not started"
}

// DaysLate is a milestone's slippage in days on day today: done after its planned
// date (actual − planned); not done and past its planned date (today − planned, or
// forecast − planned when the forecast is later still); or not yet due but
// forecast after its planned date (forecast − planned). Zero when on time or
// undated.
func (m Milestone) DaysLate(today Date) int {
	if m.Planned.IsZero() {
		return 0
	}
	end := today
	if !m.Actual.IsZero() {
		end = m.Actual
	} else if !m.Forecast.IsZero() && m.Forecast.After(today) {
		end = m.Forecast
	}
	if d := m.Planned.DaysUntil(end); d > 0 {
		return d
	}
	return 0
}

// Done reports whether the milestone is complete.
func (m Milestone) Done() bool { return !m.Actual.IsZero() }

// Overdue is how many days past its planned date an unfinished milestone is on day today.
func (m Milestone) Overdue(today Date) int {
	if m.Done() || m.Planned.IsZero() || !m.Planned.Before(today) {
		return 0
	}
	return m.Planned.DaysUntil(today)
}
