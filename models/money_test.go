package models

import (
	"math/big"
	"testing"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "1,234.56", want: 123456},
		{in: "-10", want: -1000},
		{in: "0.5", want: 50},
		{in: ".5", want: 50},
		{in: "12.", want: 1200},
		{in: " 7.05 ", want: 705},
		{in: "+3", want: 300},
		{in: "0", want: 0},
		{in: "1,000,000", want: 100000000},
		{in: "100000.00", want: 10000000},
		{in: "−1,234.50", want: -123450}, // the minus sign FormatMinor writes
		{in: "9999999999999999.99", want: 999999999999999999},
		{in: "", wantErr: "enter an amount"},
		{in: "   ", wantErr: "enter an amount"},
		{in: "1.234", wantErr: "use at most two decimal places"},
		{in: "0.001", wantErr: "use at most two decimal places"},
		{in: "abc", wantErr: `"abc" is not an amount`},
		{in: "1e5", wantErr: `"1e5" is not an amount`},
		{in: "1/2", wantErr: `"1/2" is not an amount`},
		{in: "0x10", wantErr: `"0x10" is not an amount`},
		{in: "0b11", wantErr: `"0b11" is not an amount`},
		{in: "1_000", wantErr: `"1_000" is not an amount`},
		{in: "1234,56", wantErr: `"1234,56": use a point for decimals and commas only between thousands, e.g. 1,234.56`}, // a decimal comma is refused, never read as 123,456
		{in: "1,2,3", wantErr: `"1,2,3": use a point for decimals and commas only between thousands, e.g. 1,234.56`},
		{in: ",100", wantErr: `",100": use a point for decimals and commas only between thousands, e.g. 1,234.56`},
		{in: "12,345,678.90", want: 1234567890},
		{in: "0x1p-2", wantErr: `"0x1p-2" is not an amount`},
		{in: "-", wantErr: `"-" is not an amount`},
		{in: ".", wantErr: `"." is not an amount`},
		{in: "1.2.3", wantErr: `"1.2.3" is not an amount`},
		{in: "1.2,3", wantErr: `"1.2,3" is not an amount`},
		{in: "--5", wantErr: `"--5" is not an amount`},
		{in: "$5", wantErr: `"$5" is not an amount`},
		{in: "99999999999999999.99", wantErr: `"99999999999999999.99" is out of range`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAmount(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseAmount(%q) = %d, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor    int64
		decimals bool
		want     string
	}{
		{123456, true, "1,234.56"},
		{0, true, "0.00"},
		{5, true, "0.05"},
		{100000000, true, "1,000,000.00"},
		{-123456, true, "−1,234.56"},
		{-40, true, "−0.40"},
		{99999, true, "999.99"},
		// whole units, half-even on the cents
		{123456, false, "1,235"},
		{123449, false, "1,234"},
		{123450, false, "1,234"}, // tie, 1,234 is even: stays
		{123550, false, "1,236"}, // tie, 1,235 is odd: up
		{123551, false, "1,236"},
		{50, false, "0"},
		{150, false, "2"},
		{250, false, "2"},
		{350, false, "4"},
		{99999, false, "1,000"},
		{-123550, false, "−1,236"},
		{-123450, false, "−1,234"},
		{-40, false, "0"}, // never "−0"
		{-50, false, "0"},
		{-51, false, "−1"},
		{123456789012, false, "1,234,567,890"},
	}
	for _, tt := range tests {
		if got := FormatMinor(tt.minor, tt.decimals); got != tt.want {
			t.Errorf("FormatMinor(%d, %v) = %q, want %q", tt.minor, tt.decimals, got, tt.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m                 Money
		str, whole, short string
	}{
		{Money{123456, "EUR"}, "€1,234.56", "€1,235", "€1k"},
		{Money{-500000, "USD"}, "−$5,000.00", "−$5,000", "−$5k"},
		{Money{0, "INR"}, "₹0.00", "₹0", "₹0"},
		{Money{100, "CHF"}, "CHF 1.00", "CHF 1", "CHF 1"},
		{Money{123450, "GBP"}, "£1,234.50", "£1,234", "£1k"},
		{Money{123550, "GBP"}, "£1,235.50", "£1,236", "£1k"},
		{Money{-123456, "GBP"}, "−£1,234.56", "−£1,235", "−£1k"},
		{Money{-40, "USD"}, "−$0.40", "$0", "$0"},
		{Money{123456, "XYZ"}, "XYZ 1,234.56", "XYZ 1,235", "XYZ 1k"},
		{Money{-500, "XYZ"}, "−XYZ 5.00", "−XYZ 5", "−XYZ 5"},
		{Money{10000000, "PLN"}, "zł100,000.00", "zł100,000", "zł100k"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.m, got, tt.str)
		}
		if got := tt.m.Whole(); got != tt.whole {
			t.Errorf("%+v.Whole() = %q, want %q", tt.m, got, tt.whole)
		}
		if got := tt.m.Short(); got != tt.short {
			t.Errorf("%+v.Short() = %q, want %q", tt.m, got, tt.short)
		}
	}
}

func TestMoneyShort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor int64
		want  string
	}{
		{0, "$0"},
		{95000, "$950"},
		{99949, "$999"},
		{99950, "$1k"}, // 999.50 rounds to 1,000: shown as 1k, not "$1,000"
		{100000, "$1k"},
		{149999, "$1k"},
		{150000, "$2k"}, // 1.5k, tie to even
		{250000, "$2k"}, // 2.5k, tie to even
		{1234567, "$12k"},
		{1250000, "$12k"},
		{1350000, "$14k"},
		{99949999, "$999k"},
		{99960000, "$1.0m"}, // 999.6k rounds to 1,000k: moves to millions
		{100000000, "$1.0m"},
		{115000000, "$1.2m"}, // 1.15m, tie to even on exact cents (a float says 1.1)
		{125000000, "$1.2m"},
		{135000000, "$1.4m"},
		{1234567800, "$12.3m"},
		{12345678900, "$123.5m"}, // 123 million is millions, not "0.1bn"
		{99940000000, "$999.4m"},
		{99999000000, "$1.0bn"},
		{150000000000, "$1.5bn"},
		{123456789000000, "$1,234.6bn"},
		{-1234567, "−$12k"},
		{-115000000, "−$1.2m"},
		{-95000, "−$950"},
		{-40, "$0"},
	}
	for _, tt := range tests {
		if got := (Money{tt.minor, "USD"}).Short(); got != tt.want {
			t.Errorf("Money{%d, USD}.Short() = %q, want %q", tt.minor, got, tt.want)
		}
	}
}

func TestRoundHalfEven(t *testing.T) {
	t.Parallel()
	tests := []struct {
		num, den int64
		want     int64
	}{
		{5, 2, 2},  // 2.5
		{7, 2, 4},  // 3.5
		{3, 2, 2},  // 1.5
		{1, 2, 0},  // 0.5
		{-1, 2, 0}, // -0.5
		{-5, 2, -2},
		{-7, 2, -4},
		{-3, 2, -2},
		{12, 5, 2},   // 2.4
		{13, 5, 3},   // 2.6
		{-13, 5, -3}, // -2.6
		{-12, 5, -2}, // -2.4
		{1, 3, 0},
		{2, 3, 1},
		{-2, 3, -1},
		{10, 1, 10},
		{0, 7, 0},
		{2165, 10, 216},   // 216.5 cents
		{6495, 10, 650},   // 649.5 cents
		{-6495, 10, -650}, // −649.5 cents
	}
	for _, tt := range tests {
		if got := RoundHalfEven(big.NewRat(tt.num, tt.den)); got != tt.want {
			t.Errorf("RoundHalfEven(%d/%d) = %d, want %d", tt.num, tt.den, got, tt.want)
		}
	}
}

func TestRoundOnceExact(t *testing.T) {
	t.Parallel()
	rate := big.NewRat(10825, 10000) // EUR→USD 1.0825
	// €6.00, €14.00 and €22.00 convert to $6.495, $15.155 and $23.815: each a tie
	// in cents. Rounded one by one they give $6.50 + $15.16 + $23.82 = $45.48;
	// summed exactly ($45.465) and rounded once: $45.46.
	var e Exact
	for _, minor := range []int64{600, 1400, 2200} {
		e.Add(minor, rate)
	}
	if got := e.Rat().FloatString(3); got != "4546.500" {
		t.Errorf("exact sum = %s cents, want 4546.500", got)
	}
	if got := e.Minor(); got != 4546 {
		t.Errorf("Minor() = %d, want 4546", got)
	}
	if got := e.Money("USD").String(); got != "$45.46" {
		t.Errorf("Money = %q, want $45.46", got)
	}

	tests := []struct {
		name  string
		adds  [][2]int64 // minor, rate in ten-thousandths (0 = same currency)
		minor int64
		units int64
		sign  int
	}{
		{"same currency", [][2]int64{{123456, 0}}, 123456, 1235, 1},
		{"€1,000.00 at 1.0825", [][2]int64{{100000, 10825}}, 108250, 1082, 1},
		{"tie to even in units", [][2]int64{{123450, 0}}, 123450, 1234, 1},
		{"tie up in units", [][2]int64{{123550, 0}}, 123550, 1236, 1},
		{"mixed", [][2]int64{{100, 0}, {250, 10825}}, 371, 4, 1}, // 100 + 270.625
		{"negative", [][2]int64{{-600, 10825}}, -650, -6, -1},    // −649.5 cents
		{"cancels out", [][2]int64{{600, 10825}, {-600, 10825}}, 0, 0, 0},
	}
	for _, tt := range tests {
		var e Exact
		for _, a := range tt.adds {
			var r *big.Rat
			if a[1] != 0 {
				r = big.NewRat(a[1], 10000)
			}
			e.Add(a[0], r)
		}
		if got := e.Minor(); got != tt.minor {
			t.Errorf("%s: Minor() = %d, want %d", tt.name, got, tt.minor)
		}
		if got := e.Units(); got != tt.units {
			t.Errorf("%s: Units() = %d, want %d", tt.name, got, tt.units)
		}
		if got := e.Sign(); got != tt.sign {
			t.Errorf("%s: Sign() = %d, want %d", tt.name, got, tt.sign)
		}
	}
}

func TestRoundExactAddSub(t *testing.T) {
	t.Parallel()
	var a, b Exact
	a.Add(1000000, nil)
	b.Add(250000, nil)
	b.Add(1, big.NewRat(1, 2))
	a.Sub(b) // 10,000.00 − 2,500.005
	if got := a.Money("EUR").String(); got != "€7,500.00" {
		t.Errorf("after Sub = %q, want €7,500.00 (749999.5 cents, tie to even)", got)
	}
	a.AddExact(b)
	if got := a.Money("EUR").String(); got != "€10,000.00" {
		t.Errorf("after AddExact = %q, want €10,000.00", got)
	}
	// A copy of an Exact is independent: changing it leaves the original alone.
	c := a
	c.Sub(b)
	c.Add(7, nil)
	c.AddExact(b)
	if got, cc := a.Minor(), c.Minor(); got != 1000000 || cc != 1000007 {
		t.Errorf("after changing a copy: original %d (want 1000000), copy %d (want 1000007)", got, cc)
	}
	// Rat is a copy: changing it leaves the sum alone.
	a.Rat().SetInt64(0)
	if got := a.Minor(); got != 1000000 {
		t.Errorf("Rat() is not a copy: Minor() = %d", got)
	}
}

func TestRoundPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b   int64
		want   float64
		ok     bool
		format string
	}{
		{1, 8, 12.5, true, "12.5 %"},
		{17000, 100000, 17, true, "17.0 %"},
		{-1, 4, -25, true, "−25.0 %"},
		{-1, 5000, -0.02, true, "0.0 %"},
		{5, 0, 0, false, "—"},
		{0, 0, 0, false, "—"},
	}
	for _, tt := range tests {
		got, ok := Percent(big.NewRat(tt.a, 1), big.NewRat(tt.b, 1))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Percent(%d, %d) = %v, %v; want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
		if s := FormatPct(got, ok); s != tt.format {
			t.Errorf("FormatPct(Percent(%d, %d)) = %q, want %q", tt.a, tt.b, s, tt.format)
		}
	}
}
