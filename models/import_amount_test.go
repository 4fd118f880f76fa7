package models

import (
	"strings"
	"testing"
)

// Amounts as Excel writes them in different locales: each cell has at most one
// reading, or it is refused; a cell both readings could mean is settled by the
// file's delimiter or refused.
func TestParseImportAmount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		decimal rune
		want    int64
		err     string // part of the message; "" for none
	}{
		{"1234.56", '.', 123456, ""},
		{"1234.56", ',', 123456, ""}, // a plain decimal left as text in a semicolon file
		{"1234.56", 0, 123456, ""},
		{"1,234.56", '.', 123456, ""},
		{"1.234,56", ',', 123456, ""},
		{"1.234,56", 0, 123456, ""},
		{"1234,56", ',', 123456, ""},
		{"1234,56", '.', 123456, ""}, // never 123456.00, as stripping the comma would read it
		{"1234,5", 0, 123450, ""},
		{"1 234,56", ',', 123456, ""},
		{"1\u00a0234,56", 0, 123456, ""},
		{"1'234.56", '.', 123456, ""},
		{"-1.234,56", ',', -123456, ""},
		{"−12.5", '.', -1250, ""},
		{"+7", 0, 700, ""},
		{"0", '.', 0, ""},
		{"1,234,567", '.', 123456700, ""},
		{"1.234.567", ',', 123456700, ""},
		{"1,125", '.', 112500, ""},
		{"1.125", ',', 112500, ""},
		{"1,125", ',', 0, "two decimal places"},
		{"1.125", '.', 0, "two decimal places"},
		{"1,125", 0, 0, "three decimals"},
		{"1.125", 0, 0, "three decimals"},
		{"0.125", 0, 0, "two decimal places"},
		{"12,34,56", '.', 0, "not an amount"},
		{"1.2.3", ',', 0, "not an amount"},
		{"1,23.45", '.', 0, "not an amount"},
		{"12a", '.', 0, "not an amount"},
		{"1e5", 0, 0, "not an amount"},
		{"", '.', 0, "enter an amount"},
		{"99999999999999999999", '.', 0, "out of range"},
	} {
		got, err := ParseImportAmount(c.in, c.decimal)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("ParseImportAmount(%q, %q) = %d, %v; want %d", c.in, c.decimal, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseImportAmount(%q, %q) = %d, %v; want an error with %q", c.in, c.decimal, got, err, c.err)
		}
	}
}
