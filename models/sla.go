package models

import (
	"fmt"
	"strings"
)

// Met reports whether an actual meets its target in the given direction.
func Met(actual, target int64, direction string) bool {
	if direction == LowerIsBetter {
		return actual <= target
	}
	return actual >= target
}

// Attainment is met ÷ measured in %, and false when nothing was measured.
func Attainment(met, measured int64) (float64, bool) {
	if measured == 0 {
		return 0, false
	}
	return 100 * float64(met) / float64(measured), true
}

// FormatMilli writes a thousandths value without trailing zeros ("99.9", "4").
func FormatMilli(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := fmt.Sprint(v / 1000)
	if f := v % 1000; f != 0 {
		frac := fmt.Sprintf("%03d", f)
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		s += "." + frac
	}
	if neg {
		s = "−" + s
	}
	return s
}

// ParseMilli reads a decimal with up to three places into thousandths. A leading
// "−" (the minus sign FormatMilli writes) reads as "-".
func ParseMilli(s string) (int64, error) {
	var whole, frac int64
	var sign int64 = 1
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("enter a number")
	}
	orig := s
	if s[0] == '-' {
		sign, s = -1, s[1:]
	} else if strings.HasPrefix(s, "−") {
		sign, s = -1, s[len("−"):]
	}
	i, digits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		whole = whole*10 + int64(s[i]-'0')
		if whole > 1e12 {
			return 0, fmt.Errorf("number too large")
		}
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if n == 3 {
				return 0, fmt.Errorf("use at most three decimal places")
			}
			frac = frac*10 + int64(s[i]-'0')
			n++
			digits++
		}
		for ; n < 3; n++ {
			frac *= 10
		}
	}
	if i != len(s) || digits == 0 {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	return sign * (whole*1000 + frac), nil
}
