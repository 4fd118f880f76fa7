package models

import "testing"

// checklist gives the default areas with the given statuses, in the order of ReadinessAreas.
func checklist(status ...int) []ReadinessItem {
	items := make([]ReadinessItem, len(ReadinessAreas))
	for i, a := range ReadinessAreas {
		items[i] = ReadinessItem{Area: a.Area, Weight: a.Weight, Status: status[i%len(status)]}
	}
	return items
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	const n, p, d = ReadinessNotStarted, ReadinessInProgress, ReadinessDone
	total := 0
	for _, a := range ReadinessAreas {
		total += a.Weight
	}
	if total != 100 || len(ReadinessAreas) != 8 {
		t.Fatalf("default areas: %d areas weighing %d, want 8 weighing 100", len(ReadinessAreas), total)
	}
	tests := []struct {
		name  string
		items []ReadinessItem
		want  string
	}{
		{"all done", checklist(d), "100.0 %"},
		{"all in progress", checklist(p), "50.0 %"},
		{"none started", checklist(n), "0.0 %"},
		// KT docs 20 done, training 15 done, testing 15 in progress, people 15 not,
		// tools 10 done, contracts 10 in progress, stable service 10 not, governance 5 done:
		// 20 + 15 + 7.5 + 0 + 10 + 5 + 0 + 5 = 62.5
		{"mix", checklist(d, d, p, n, d, p, n, d), "62.5 %"},
		// only KT documentation in progress: 20 × ½ = 10
		{"one in progress", checklist(p, n, n, n, n, n, n, n), "10.0 %"},
		// everything but governance done: 95
		{"all but governance", checklist(d, d, d, d, d, d, d, n), "95.0 %"},
		// custom weights that do not sum to 100: 3 of 4 done, weighed 1 each
		{"custom weights", []ReadinessItem{{Weight: 1, Status: d}, {Weight: 1, Status: d}, {Weight: 1, Status: d}, {Weight: 1, Status: n}}, "75.0 %"},
		{"empty", nil, "—"},
		{"weightless", []ReadinessItem{{Weight: 0, Status: d}}, "—"},
	}
	for _, tt := range tests {
		if got := FormatPct(Readiness(tt.items)); got != tt.want {
			t.Errorf("%s: Readiness = %s, want %s", tt.name, got, tt.want)
		}
	}
	if v, ok := Readiness(checklist(d, d, p, n, d, p, n, d)); v != 62.5 || !ok {
		t.Errorf("mix = %v, %v; want exactly 62.5", v, ok)
	}
	for s, want := range map[int]string{n: "Not started", p: "In progress", d: "Done"} {
		if got := ReadinessStatusLabel(s); got != want {
			t.Errorf("ReadinessStatusLabel(%d) = %q, want %q", s, got, want)
		}
	}
}

func TestMilestone(t *testing.T) {
	t.Parallel()
	planned := D(2026, 3, 31)
	tests := []struct {
		name              string
		m                 Milestone
		today             Date
		daysLate, overdue int
		done              bool
	}{
		{"not due yet", Milestone{Planned: planned}, D(2026, 3, 1), 0, 0, false},
		{"due today", Milestone{Planned: planned}, planned, 0, 0, false},
		{"one day past", Milestone{Planned: planned}, D(2026, 4, 1), 1, 1, false},
		{"ten days past", Milestone{Planned: planned}, D(2026, 4, 10), 10, 10, false},
		{"31 days past", Milestone{Planned: planned}, D(2026, 5, 1), 31, 31, false},
		{"done on the day", Milestone{Planned: planned, Actual: planned}, D(2026, 5, 1), 0, 0, true},
		{"done early", Milestone{Planned: planned, Actual: D(2026, 3, 20)}, D(2026, 5, 1), 0, 0, true},
		{"done 5 days late", Milestone{Planned: planned, Actual: D(2026, 4, 5)}, D(2026, 5, 1), 5, 0, true},
		{"forecast slips, not due yet", Milestone{Planned: planned, Forecast: D(2026, 4, 15)}, D(2026, 3, 1), 15, 0, false},
		{"forecast early", Milestone{Planned: planned, Forecast: D(2026, 3, 25)}, D(2026, 3, 1), 0, 0, false},
		{"past, forecast later still", Milestone{Planned: planned, Forecast: D(2026, 4, 20)}, D(2026, 4, 10), 20, 10, false},
		{"past, stale forecast", Milestone{Planned: planned, Forecast: D(2026, 4, 1)}, D(2026, 4, 10), 10, 10, false},
		{"over a leap day", Milestone{Planned: D(2024, 2, 28), Actual: D(2024, 3, 1)}, D(2024, 4, 1), 2, 0, true},
		{"over the year end", Milestone{Planned: D(2025, 12, 31)}, D(2026, 1, 1), 1, 1, false},
		{"undated", Milestone{}, D(2026, 4, 10), 0, 0, false},
	}
	for _, tt := range tests {
		if got := tt.m.DaysLate(tt.today); got != tt.daysLate {
			t.Errorf("%s: DaysLate = %d, want %d", tt.name, got, tt.daysLate)
		}
		if got := tt.m.Overdue(tt.today); got != tt.overdue {
			t.Errorf("%s: Overdue = %d, want %d", tt.name, got, tt.overdue)
		}
		if got := tt.m.Done(); got != tt.done {
			t.Errorf("%s: Done = %v, want %v", tt.name, got, tt.done)
		}
	}
}
