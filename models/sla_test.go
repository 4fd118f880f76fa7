package models

import "testing"

func TestMet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		actual, target int64
		direction      string
		want           bool
	}{
		{"availability above target", 99950, 99500, HigherIsBetter, true},
		{"availability equal to target", 99500, 99500, HigherIsBetter, true},
		{"availability below target", 99499, 99500, HigherIsBetter, false},
		{"resolution hours under target", 3500, 4000, LowerIsBetter, true},
		{"resolution hours equal to target", 4000, 4000, LowerIsBetter, true},
		{"resolution hours over target", 4001, 4000, LowerIsBetter, false},
		{"negative target, higher", -1000, -1500, HigherIsBetter, true},
		{"negative target, lower", -1000, -1500, LowerIsBetter, false},
		{"unknown direction reads as higher", 90, 100, "", false},
	}
	for _, tt := range tests {
		if got := Met(tt.actual, tt.target, tt.direction); got != tt.want {
			t.Errorf("%s: Met(%d, %d, %q) = %v, want %v", tt.name, tt.actual, tt.target, tt.direction, got, tt.want)
		}
	}
}

func TestAttainment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		met, measured int64
		want          string
	}{
		{9, 10, "90.0 %"},
		{19, 20, "95.0 %"},
		{17, 18, "94.4 %"},
		{2, 3, "66.7 %"},
		{3, 3, "100.0 %"},
		{0, 12, "0.0 %"},
		{0, 0, "—"},
	}
	for _, tt := range tests {
		if got := FormatPct(Attainment(tt.met, tt.measured)); got != tt.want {
			t.Errorf("Attainment(%d, %d) = %s, want %s", tt.met, tt.measured, got, tt.want)
		}
	}
	if v, ok := Attainment(9, 10); v != 90 || !ok {
		t.Errorf("Attainment(9, 10) = %v, %v; want exactly 90", v, ok)
	}
}

func TestMilliFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    int64
		want string
	}{
		{99900, "99.9"},
		{4000, "4"},
		{-1500, "−1.5"},
		{1234, "1.234"},
		{1230, "1.23"},
		{50, "0.05"},
		{1, "0.001"},
		{0, "0"},
		{-500, "−0.5"},
		{1000000, "1000"},
		{99999, "99.999"},
	}
	for _, tt := range tests {
		if got := FormatMilli(tt.v); got != tt.want {
			t.Errorf("FormatMilli(%d) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestMilliParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "99.9", want: 99900},
		{in: "4", want: 4000},
		{in: "-1.5", want: -1500},
		{in: "−1.5", want: -1500}, // as FormatMilli writes it
		{in: "1.234", want: 1234},
		{in: "0.001", want: 1},
		{in: ".5", want: 500},
		{in: "7.", want: 7000},
		{in: " 99.95 ", want: 99950},
		{in: "0", want: 0},
		{in: "1.2345", wantErr: "use at most three decimal places"},
		{in: "", wantErr: "enter a number"},
		{in: "  ", wantErr: "enter a number"},
		{in: "abc", wantErr: `"abc" is not a number`},
		{in: "-abc", wantErr: `"-abc" is not a number`},
		{in: "-", wantErr: `"-" is not a number`},
		{in: ".", wantErr: `"." is not a number`},
		{in: "1.2.3", wantErr: `"1.2.3" is not a number`},
		{in: "1e3", wantErr: `"1e3" is not a number`},
		{in: "+5", wantErr: `"+5" is not a number`},
		{in: "99.9%", wantErr: `"99.9%" is not a number`},
		{in: "10000000000000", wantErr: "number too large"},
	}
	for _, tt := range tests {
		got, err := ParseMilli(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseMilli(%q) = %d, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMilli(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	// What the page shows reads back to the same value.
	for _, v := range []int64{99900, 4000, -1500, 1, -1, 123456789} {
		if got, err := ParseMilli(FormatMilli(v)); err != nil || got != v {
			t.Errorf("ParseMilli(FormatMilli(%d)) = %d, %v", v, got, err)
		}
	}
}
