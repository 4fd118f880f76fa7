package components

import (
	"fmt"
	"portfolio/models"
)

// Whole formats an exact sum in whole currency units ("$1,234,568"), rounded once.
func Whole(e models.Exact, cur string) string {
	return models.Money{Minor: e.Units() * 100, Currency: cur}.Whole()
}

// Short formats an exact sum for a headline card ("$12.4m").
func Short(e models.Exact, cur string) string {
	return models.Money{Minor: e.Minor(), Currency: cur}.Short()
}

// Pct formats a percentage with one decimal, or "—".
func Pct(v float64, ok bool) string { return models.FormatPct(v, ok) }

// Int formats a count with thousands separators.
func Int[T ~int | ~int64](n T) string { return models.FormatMinor(int64(n)*100, false) }

// Days writes "3 days" / "1 day".
func Days(n int) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d day", n)
	}
	return fmt.Sprintf("%d days", n)
}

// Attainment formats met ÷ measured.
func Attainment(met, measured int64) string {
	v, ok := models.Attainment(met, measured)
	return models.FormatPct(v, ok)
}

// Count writes a count with its noun: "1 action", "3 actions".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Int(n) + " " + many
}
