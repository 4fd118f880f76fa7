package models

import (
	"fmt"
	"unicode"
)

// Risk bands, from least to most severe.
const (
	BandLow      = "Low"
	BandMedium   = "Medium"
	BandHigh     = "High"
	BandCritical = "Critical"
)

// Bands lists the bands from least to most severe.
var Bands = []string{BandLow, BandMedium, BandHigh, BandCritical}

// Level is a likelihood or impact level's label and one-line definition.
type Level struct {
	Label      string `json:"label"`
	Definition string `json:"definition"`
}

// RiskSettings are the admin-editable rules of risk scoring.
type RiskSettings struct {
	LowMax     int            `json:"low_max"`    // Low is 1..LowMax
	MediumMax  int            `json:"medium_max"` // Medium is LowMax+1..MediumMax
	HighMax    int            `json:"high_max"`   // High is MediumMax+1..HighMax; Critical above
	Appetite   int            `json:"appetite"`   // a residual score above this is out of appetite
	Cadence    map[string]int `json:"cadence"`    // band → review interval in days
	Likelihood [5]Level       `json:"likelihood"`
	Impact     [5]Level       `json:"impact"`
}

// DefaultRiskSettings are DOMAIN.md's defaults.
func DefaultRiskSettings() RiskSettings {
	return RiskSettings{
		LowMax: 4, MediumMax: 9, HighMax: 16, Appetite: 9,
		Cadence: map[string]int{BandCritical: 30, BandHigh: 60, BandMedium: 90, BandLow: 180},
		Likelihood: [5]Level{
			{"Rare", "May happen only in exceptional circumstances (under 5 % in a year)."},
			{"Unlikely", "Could happen but is not expected (5–20 % in a year)."},
			{"Possible", "Might well happen (20–50 % in a year)."},
			{"Likely", "Will probably happen (50–80 % in a year)."},
			{"Almost certain", "Is expected to happen (over 80 % in a year)."},
		},
		Impact: [5]Level{
			{"Minimal", "Negligible effect on service, cost or reputation."},
			{"Minor", "Short disruption or cost under 1 % of contract value; fixed within the team."},
			{"Moderate", "Noticeable service loss or cost of 1–5 %; needs management attention."},
			{"Major", "Serious service failure, regulatory finding or cost of 5–10 %."},
			{"Severe", "Loss of a critical service, a data breach or cost above 10 %; board-level."},
		},
	}
}

// Score multiplies likelihood by impact.
func Score(likelihood, impact int) int { return likelihood * impact }

// ValidLevel reports whether v is a 1–5 level.
func ValidLevel(v int) bool { return v >= 1 && v <= 5 }

// Band names the band a score falls in.
func (s RiskSettings) Band(score int) string {
	switch {
	case score <= s.LowMax:
		return BandLow
	case score <= s.MediumMax:
		return BandMedium
	case score <= s.HighMax:
		return BandHigh
	}
	return BandCritical
}

// BandRange gives the lowest and highest score of a band that a likelihood × impact
// can reach: with the defaults Low 1–4, Medium 5–9, High 10–16, Critical 20–25
// (17, 18 and 19 are no product of two levels). A band no product falls in gives
// lo > hi, an empty range.
func (s RiskSettings) BandRange(band string) (lo, hi int, ok bool) {
	switch band {
	case BandLow:
		lo, hi = 1, s.LowMax
	case BandMedium:
		lo, hi = s.LowMax+1, s.MediumMax
	case BandHigh:
		lo, hi = s.MediumMax+1, s.HighMax
	case BandCritical:
		lo, hi = s.HighMax+1, 25
	default:
		return 0, 0, false
	}
	lo, hi = max(lo, 1), min(hi, 25)
	for lo <= hi && !reachable(lo) {
		lo++
	}
	for hi >= lo && !reachable(hi) {
		hi--
	}
	return lo, hi, true
}

// reachable reports whether a score is the product of two 1–5 levels.
func reachable(score int) bool {
	for l := 1; l <= 5; l++ {
		if score%l == 0 && score/l >= 1 && score/l <= 5 {
			return true
		}
	}
	return false
}

// OutOfAppetite reports a residual score above the appetite.
func (s RiskSettings) OutOfAppetite(residual int) bool { return residual > s.Appetite }

// ReviewDays is the review cadence of a score's band.
func (s RiskSettings) ReviewDays(score int) int {
	if d, ok := s.Cadence[s.Band(score)]; ok && d > 0 {
		return d
	}
	return 90
}

// NextReview is the date a risk reviewed on day d is due again.
func (s RiskSettings) NextReview(d Date, residual int) Date { return d.AddDays(s.ReviewDays(residual)) }

// Validate checks thresholds rise and every level has a label.
func (s RiskSettings) Validate() map[string]string {
	errs := map[string]string{}
	if !(s.LowMax >= 1 && s.LowMax < s.MediumMax && s.MediumMax < s.HighMax && s.HighMax < 25) {
		errs["bands"] = "Band thresholds must rise: 1 ≤ Low < Medium < High < 25."
	}
	if s.Appetite < 1 || s.Appetite > 25 {
		errs["appetite"] = "Appetite must be a score from 1 to 25."
	}
	for _, b := range Bands {
		if s.Cadence[b] < 1 || s.Cadence[b] > 730 {
			errs["cadence_"+b] = fmt.Sprintf("%s review cadence must be 1 to 730 days.", b)
		}
	}
	for i := range 5 {
		if s.Likelihood[i].Label == "" {
			errs[fmt.Sprintf("likelihood_%d", i+1)] = "Every likelihood level needs a label."
		}
		if s.Impact[i].Label == "" {
			errs[fmt.Sprintf("impact_%d", i+1)] = "Every impact level needs a label."
		}
	}
	return errs
}

// CodeRule is the rule for an engagement's code and a risk's reference, in words.
const CodeRule = "Use letters, digits, dashes, dots and underscores only, starting with a letter or digit."

// ValidCode reports whether s follows CodeRule: a code is typed in URLs,
// imports and spreadsheets, so it holds no spaces, separators or markup.
func ValidCode(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r):
		case i > 0 && (r == '-' || r == '.' || r == '_'):
		default:
			return false
		}
	}
	return s != ""
}
