package models

import "testing"

func TestScore(t *testing.T) {
	t.Parallel()
	tests := []struct{ l, i, want int }{
		{1, 1, 1}, {2, 2, 4}, {1, 5, 5}, {3, 3, 9}, {2, 5, 10}, {3, 4, 12}, {4, 4, 16}, {4, 5, 20}, {5, 5, 25},
	}
	for _, tt := range tests {
		if got := Score(tt.l, tt.i); got != tt.want {
			t.Errorf("Score(%d, %d) = %d, want %d", tt.l, tt.i, got, tt.want)
		}
	}
	for v, want := range map[int]bool{0: false, 1: true, 3: true, 5: true, 6: false, -1: false} {
		if ValidLevel(v) != want {
			t.Errorf("ValidLevel(%d) = %v, want %v", v, !want, want)
		}
	}
}

func TestBand(t *testing.T) {
	t.Parallel()
	def := DefaultRiskSettings()
	custom := DefaultRiskSettings()
	custom.LowMax, custom.MediumMax, custom.HighMax = 3, 8, 14
	tests := []struct {
		name  string
		s     RiskSettings
		score int
		want  string
	}{
		{"default", def, 1, BandLow},
		{"default", def, 4, BandLow},
		{"default", def, 5, BandMedium},
		{"default", def, 6, BandMedium},
		{"default", def, 9, BandMedium},
		{"default", def, 10, BandHigh},
		{"default", def, 12, BandHigh},
		{"default", def, 16, BandHigh},
		{"default", def, 20, BandCritical},
		{"default", def, 25, BandCritical},
		{"custom", custom, 3, BandLow},
		{"custom", custom, 4, BandMedium},
		{"custom", custom, 8, BandMedium},
		{"custom", custom, 9, BandHigh},
		{"custom", custom, 12, BandHigh},
		{"custom", custom, 15, BandCritical},
		{"custom", custom, 16, BandCritical},
	}
	for _, tt := range tests {
		if got := tt.s.Band(tt.score); got != tt.want {
			t.Errorf("%s: Band(%d) = %s, want %s", tt.name, tt.score, got, tt.want)
		}
	}
}

func TestBandRange(t *testing.T) {
	t.Parallel()
	def := DefaultRiskSettings()
	custom := DefaultRiskSettings()
	custom.LowMax, custom.MediumMax, custom.HighMax = 3, 8, 14
	odd := DefaultRiskSettings()
	odd.LowMax, odd.MediumMax, odd.HighMax = 16, 18, 19
	tests := []struct {
		name   string
		s      RiskSettings
		band   string
		lo, hi int
		ok     bool
	}{
		// DOMAIN.md: Low 1–4, Medium 5–9, High 10–16, Critical 20–25.
		{"default", def, BandLow, 1, 4, true},
		{"default", def, BandMedium, 5, 9, true},
		{"default", def, BandHigh, 10, 16, true},
		{"default", def, BandCritical, 20, 25, true},
		{"default", def, "Extreme", 0, 0, false},
		{"default", def, "", 0, 0, false},
		{"custom", custom, BandLow, 1, 3, true},
		{"custom", custom, BandMedium, 4, 8, true},
		{"custom", custom, BandHigh, 9, 12, true}, // 13 and 14 are no product of two levels
		{"custom", custom, BandCritical, 15, 25, true},
		{"no score fits", odd, BandMedium, 19, 18, true},
		{"no score fits", odd, BandHigh, 20, 19, true},
		{"no score fits", odd, BandCritical, 20, 25, true},
	}
	for _, tt := range tests {
		lo, hi, ok := tt.s.BandRange(tt.band)
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("%s: BandRange(%q) = %d, %d, %v; want %d, %d, %v", tt.name, tt.band, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
	// Every reachable score's band range contains it.
	for _, s := range []RiskSettings{def, custom, odd} {
		for l := 1; l <= 5; l++ {
			for i := 1; i <= 5; i++ {
				score := Score(l, i)
				lo, hi, _ := s.BandRange(s.Band(score))
				if score < lo || score > hi {
					t.Errorf("score %d in %s but outside %d–%d", score, s.Band(score), lo, hi)
				}
			}
		}
	}
}

func TestBandAppetite(t *testing.T) {
	t.Parallel()
	def := DefaultRiskSettings()
	custom := DefaultRiskSettings()
	custom.Appetite = 12
	tests := []struct {
		s        RiskSettings
		residual int
		want     bool
	}{
		{def, 1, false}, {def, 8, false}, {def, 9, false}, {def, 10, true}, {def, 16, true}, {def, 25, true},
		{custom, 10, false}, {custom, 12, false}, {custom, 15, true},
	}
	for _, tt := range tests {
		if got := tt.s.OutOfAppetite(tt.residual); got != tt.want {
			t.Errorf("appetite %d: OutOfAppetite(%d) = %v, want %v", tt.s.Appetite, tt.residual, got, tt.want)
		}
	}
}

func TestScoringReview(t *testing.T) {
	t.Parallel()
	def := DefaultRiskSettings()
	noCadence := DefaultRiskSettings()
	noCadence.Cadence = map[string]int{BandCritical: 14}
	reviewed := D(2026, 1, 15)
	tests := []struct {
		name     string
		s        RiskSettings
		residual int
		days     int
		next     string
	}{
		{"Critical", def, 25, 30, "2026-02-14"},
		{"Critical", def, 20, 30, "2026-02-14"},
		{"High", def, 16, 60, "2026-03-16"},
		{"High", def, 10, 60, "2026-03-16"},
		{"Medium", def, 9, 90, "2026-04-15"},
		{"Medium", def, 5, 90, "2026-04-15"},
		{"Low", def, 4, 180, "2026-07-14"},
		{"Low", def, 1, 180, "2026-07-14"},
		{"custom Critical", noCadence, 20, 14, "2026-01-29"},
		{"no cadence set falls back to 90", noCadence, 12, 90, "2026-04-15"},
	}
	for _, tt := range tests {
		if got := tt.s.ReviewDays(tt.residual); got != tt.days {
			t.Errorf("%s: ReviewDays(%d) = %d, want %d", tt.name, tt.residual, got, tt.days)
		}
		if got := tt.s.NextReview(reviewed, tt.residual).String(); got != tt.next {
			t.Errorf("%s: NextReview(%s, %d) = %s, want %s", tt.name, reviewed, tt.residual, got, tt.next)
		}
	}
	// Reviewed on the last day of February in a leap year.
	if got := def.NextReview(D(2024, 2, 29), 20).String(); got != "2024-03-30" {
		t.Errorf("NextReview(2024-02-29, Critical) = %s, want 2024-03-30", got)
	}
}

func TestScoringValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*RiskSettings)
		want   map[string]string
	}{
		{"defaults", func(*RiskSettings) {}, map[string]string{}},
		{"equal thresholds", func(s *RiskSettings) { s.MediumMax = s.LowMax },
			map[string]string{"bands": "Band thresholds must rise: 1 ≤ Low < Medium < High < 25."}},
		{"High at 25", func(s *RiskSettings) { s.HighMax = 25 },
			map[string]string{"bands": "Band thresholds must rise: 1 ≤ Low < Medium < High < 25."}},
		{"Low at 0", func(s *RiskSettings) { s.LowMax = 0 },
			map[string]string{"bands": "Band thresholds must rise: 1 ≤ Low < Medium < High < 25."}},
		{"falling", func(s *RiskSettings) { s.LowMax, s.MediumMax, s.HighMax = 9, 4, 16 },
			map[string]string{"bands": "Band thresholds must rise: 1 ≤ Low < Medium < High < 25."}},
		{"tightest valid", func(s *RiskSettings) { s.LowMax, s.MediumMax, s.HighMax = 1, 2, 24 }, map[string]string{}},
		{"appetite 0", func(s *RiskSettings) { s.Appetite = 0 }, map[string]string{"appetite": "Appetite must be a score from 1 to 25."}},
		{"appetite 26", func(s *RiskSettings) { s.Appetite = 26 }, map[string]string{"appetite": "Appetite must be a score from 1 to 25."}},
		{"appetite 25", func(s *RiskSettings) { s.Appetite = 25 }, map[string]string{}},
		{"cadence 0", func(s *RiskSettings) { s.Cadence[BandCritical] = 0 },
			map[string]string{"cadence_Critical": "Critical review cadence must be 1 to 730 days."}},
		{"cadence 731", func(s *RiskSettings) { s.Cadence[BandLow] = 731 },
			map[string]string{"cadence_Low": "Low review cadence must be 1 to 730 days."}},
		{"cadence 730", func(s *RiskSettings) { s.Cadence[BandLow] = 730 }, map[string]string{}},
		{"cadence missing", func(s *RiskSettings) { delete(s.Cadence, BandMedium) },
			map[string]string{"cadence_Medium": "Medium review cadence must be 1 to 730 days."}},
		{"likelihood label", func(s *RiskSettings) { s.Likelihood[2].Label = "" },
			map[string]string{"likelihood_3": "Every likelihood level needs a label."}},
		{"impact label", func(s *RiskSettings) { s.Impact[4].Label = "" },
			map[string]string{"impact_5": "Every impact level needs a label."}},
	}
	for _, tt := range tests {
		s := DefaultRiskSettings()
		tt.change(&s)
		got := s.Validate()
		if len(got) != len(tt.want) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: Validate()[%q] = %q, want %q", tt.name, k, got[k], v)
			}
		}
	}
}

// Codes and references hold no spaces, separators or markup (they are typed
// in URLs, imports and spreadsheets).
func TestValidCode(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"ITO-INF-01": true, "R-BOT-PL-02-01": true, "ENG_2026.3": true, "Wrocław-1": true,
		"": false, "ENG 1": false, "<b>ENG": false, "ENG;1": false, "ENG,1": false, "-ENG": false, "ENG\"1": false, "ENG/1": false,
	} {
		if got := ValidCode(s); got != want {
			t.Errorf("ValidCode(%q) = %v, want %v", s, got, want)
		}
	}
}
