package models

import (
	"fmt"
	"strings"
)

// ParseImportAmount reads an amount from a spreadsheet cell, which Excel writes
// in its user's locale: "1234.56", "1,234.56", "1.234,56", "1234,56",
// "1 234,56". decimal is the decimal mark the file's delimiter suggests ('.' in
// a comma-separated file, ',' in a semicolon-separated one) or 0 when the
// delimiter says nothing (tab). A cell is read with that mark first and with the
// other only when that fails. A cell both readings could mean ("1,125": 1125 or
// 1.125) is refused when the delimiter does not settle it, because reading it
// the wrong way would import an amount a thousand times off. Spaces, no-break
// spaces and apostrophes group thousands too.
func ParseImportAmount(s string, decimal rune) (int64, error) {
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
	english, englishErr := readGrouped(s, ',', '.')
	european, europeanErr := readGrouped(s, '.', ',')
	var v int64
	var err error
	switch {
	case decimal == '.' && englishErr == nil:
		v = english
	case decimal == ',' && europeanErr == nil:
		v = european
	case ambiguousThousands(s):
		if decimal == '.' {
			return 0, englishErr
		}
		if decimal == ',' {
			return 0, europeanErr
		}
		return 0, fmt.Errorf("%q could be a whole number or have three decimals: write it without a thousands separator", orig)
	case englishErr == nil:
		v = english
	case europeanErr == nil:
		v = european
	case decimal == ',':
		err = europeanErr
	default:
		err = englishErr
	}
	switch {
	case err == nil:
	case strings.Contains(err.Error(), "decimal places"):
		return 0, err
	case strings.Contains(err.Error(), "out of range"):
		return 0, fmt.Errorf("%q is out of range", orig)
	default:
		return 0, fmt.Errorf("%q is not an amount", orig)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// ambiguousThousands reports a number with one separator followed by exactly
// three digits: a thousands separator in one reading, three decimals in the other.
func ambiguousThousands(s string) bool {
	i := strings.IndexAny(s, ".,")
	return i > 0 && s[0] != '0' && strings.Count(s, ".")+strings.Count(s, ",") == 1 && len(s)-i-1 == 3 &&
		allDigits(s[:i]) && allDigits(s[i+1:]) && !strings.ContainsAny(s, " '’\u00a0\u202f")
}

// readGrouped reads an unsigned amount whose thousands are grouped by group
// (or spaces and apostrophes) and whose decimals follow dec.
func readGrouped(s string, group, dec byte) (int64, error) {
	s = strings.NewReplacer(" ", string(group), "\u00a0", string(group), "\u202f", string(group), "'", string(group), "’", string(group)).Replace(s)
	whole, frac, _ := strings.Cut(s, string(dec))
	if strings.ContainsAny(frac, ".,") || !allDigits(frac) {
		return 0, fmt.Errorf("not an amount")
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("use at most two decimal places")
	}
	if groups := strings.Split(whole, string(group)); len(groups) > 1 {
		first := groups[0]
		if len(first) == 0 || len(first) > 3 || first[0] == '0' || !allDigits(first) {
			return 0, fmt.Errorf("not an amount")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || !allDigits(g) {
				return 0, fmt.Errorf("not an amount")
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("not an amount")
	}
	return ParseAmount(whole + "." + frac)
}
