package models

import (
	"fmt"
	"math/big"
	"strings"
)

// Money is an exact amount in the minor units (cents) of an ISO 4217 currency.
type Money struct {
	Minor    int64
	Currency string
}

// Currencies lists the ISO 4217 codes the app accepts, with their symbols.
var Currencies = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "PLN": "zł", "CHF": "CHF ", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "SGD": "S$"}

// ParseAmount reads a decimal amount such as "1,234.56" or "-10" into minor units.
// It refuses more than two decimal places rather than round what a user typed,
// and accepts only plain decimals: no exponents, fractions or base prefixes.
// A leading "−" (the minus sign FormatMinor writes) reads as "-".
func ParseAmount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("enter an amount")
	}
	orig := s
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "−"):
		neg, s = true, s[len("−"):]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Contains(whole, ",") {
		// Commas only as thousands separators (1,234,567): "1234,56" is a
		// decimal comma, and read as thousands it would store a hundred
		// times the amount.
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, fmt.Errorf("%q: use a point for decimals and commas only between thousands, e.g. 1,234.56", orig)
			}
		}
		whole = strings.Join(groups, "")
	}
	if (whole == "" && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%q is not an amount", orig)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("use at most two decimal places")
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", 2-len(frac)), "0")
	if len(digits) > 18 {
		return 0, fmt.Errorf("%q is out of range", orig)
	}
	var v int64
	for _, c := range digits {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FormatMinor writes minor units as a decimal with thousands separators ("1,234.56").
func FormatMinor(minor int64, decimals bool) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	units, cents := minor/100, minor%100
	if !decimals && cents >= 50 { // half-even on the whole unit
		if cents > 50 || units%2 == 1 {
			units++
		}
	}
	s := groupThousands(units)
	if decimals {
		s += fmt.Sprintf(".%02d", cents)
	} else if units == 0 {
		neg = false // −0.40 shows as 0, never "−0"
	}
	if neg {
		s = "−" + s
	}
	return s
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// String formats the amount with its currency ("€1,234.56", "−€1,234.56").
func (m Money) String() string { return withSymbol(m.Currency, FormatMinor(m.Minor, true)) }

// withSymbol puts the currency symbol after a leading minus sign, as Short does:
// "−€1,234.56", not "€−1,234.56".
func withSymbol(cur, amount string) string {
	if rest, ok := strings.CutPrefix(amount, "−"); ok {
		return "−" + Symbol(cur) + rest
	}
	return Symbol(cur) + amount
}

// Short formats the amount in whole units, or thousands/millions/billions for
// headline cards ("$950", "$12k", "€1.2m", "$3.4bn"), rounding half-even on the
// exact minor units; a figure that rounds up to the next unit moves to it
// ($999,600 is "$1.0m", not "$1000k").
func (m Money) Short() string {
	a := m.Minor
	if a < 0 {
		a = -a
	}
	sym := Symbol(m.Currency)
	sign := func(zero bool) string {
		if m.Minor < 0 && !zero {
			return "−"
		}
		return ""
	}
	round := func(div int64) int64 { return RoundHalfEven(big.NewRat(a, div)) }
	if u := round(100); u < 1000 {
		return sign(u == 0) + sym + groupThousands(u)
	}
	if k := round(1_000_00); k < 1000 {
		return sign(false) + sym + fmt.Sprintf("%dk", k)
	}
	if t := round(1_000_000_00 / 10); t < 10000 {
		return sign(false) + sym + fmt.Sprintf("%d.%dm", t/10, t%10)
	}
	t := round(1_000_000_000_00 / 10)
	return sign(false) + sym + fmt.Sprintf("%s.%dbn", groupThousands(t/10), t%10)
}

// Symbol gives a currency's symbol, or its code and a space if it has none.
func Symbol(code string) string {
	if s, ok := Currencies[code]; ok {
		return s
	}
	return code + " "
}

// Exact is an exact sum in minor units of the reporting currency, kept as a
// fraction so that currency conversion rounds once, at display.
//
// Exact is a value: a copy (v := s.Net) shares the big.Rat's digits with the
// original, so every change builds a new fraction instead of writing into the
// shared one; changing a copy never changes the original.
type Exact struct{ r big.Rat }

// Add adds minor units converted at rate (nil means the same currency).
func (e *Exact) Add(minor int64, rate *big.Rat) {
	v := new(big.Rat).SetInt64(minor)
	if rate != nil {
		v.Mul(v, rate)
	}
	e.r = *v.Add(v, &e.r)
}

// AddExact adds another exact sum.
func (e *Exact) AddExact(o Exact) { e.r = *new(big.Rat).Add(&e.r, &o.r) }

// Sub subtracts another exact sum.
func (e *Exact) Sub(o Exact) { e.r = *new(big.Rat).Sub(&e.r, &o.r) }

// Sign is -1, 0 or +1.
func (e Exact) Sign() int { return e.r.Sign() }

// Rat exposes the exact value (a copy).
func (e Exact) Rat() *big.Rat { return new(big.Rat).Set(&e.r) }

// Minor rounds half-even to whole minor units.
func (e Exact) Minor() int64 { return RoundHalfEven(&e.r) }

// Money rounds the exact sum to money in a currency.
func (e Exact) Money(cur string) Money { return Money{e.Minor(), cur} }

// RoundHalfEven rounds a fraction to the nearest integer, ties to even.
func RoundHalfEven(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// q truncates toward zero; m has num's sign.
	twice := new(big.Int).Abs(m)
	twice.Lsh(twice, 1)
	switch twice.Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(int64(num.Sign())))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(int64(num.Sign())))
		}
	}
	return q.Int64()
}

// Percent returns 100·a/b as a float for display, and false when b is zero.
func Percent(a, b *big.Rat) (float64, bool) {
	if b.Sign() == 0 {
		return 0, false
	}
	f, _ := new(big.Rat).Quo(new(big.Rat).Mul(a, big.NewRat(100, 1)), b).Float64()
	return f, true
}

// Units rounds half-even to whole currency units (for summaries that show no cents).
func (e Exact) Units() int64 {
	return RoundHalfEven(new(big.Rat).Quo(&e.r, big.NewRat(100, 1)))
}

// Float is the value in whole currency units, for chart geometry only.
func (e Exact) Float() float64 {
	f, _ := new(big.Rat).Quo(&e.r, big.NewRat(100, 1)).Float64()
	return f
}

// Whole formats the amount in whole units, rounded half-even ("€1,235", "−€1,235").
func (m Money) Whole() string { return withSymbol(m.Currency, FormatMinor(m.Minor, false)) }
