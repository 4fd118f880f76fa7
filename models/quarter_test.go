package models

import (
	"testing"
	"time"
)

func TestDateParseAndFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		ok      bool
		str     string
		human   string
		weekday time.Weekday
	}{
		{"2026-09-02", true, "2026-09-02", "2 Sep 2026", time.Wednesday},
		{"2024-02-29", true, "2024-02-29", "29 Feb 2024", time.Thursday},
		{"2025-12-31", true, "2025-12-31", "31 Dec 2025", time.Wednesday},
		{"2026-01-01", true, "2026-01-01", "1 Jan 2026", time.Thursday},
		{"2026-02-29", false, "", "", 0}, // not a leap year
		{"2026-13-01", false, "", "", 0},
		{"2026-04-31", false, "", "", 0},
		{"26-01-01", false, "", "", 0},
		{"2026/01/01", false, "", "", 0},
		{"", false, "", "", 0},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if !tt.ok {
			want := `"` + tt.in + `" is not a date (YYYY-MM-DD)`
			if err == nil || err.Error() != want {
				t.Errorf("ParseDate(%q) = %v, %v; want error %q", tt.in, d, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if d.String() != tt.str || d.Human() != tt.human || d.Weekday() != tt.weekday {
			t.Errorf("ParseDate(%q) = %s / %s / %s; want %s / %s / %s", tt.in, d, d.Human(), d.Weekday(), tt.str, tt.human, tt.weekday)
		}
	}
	var zero Date
	if zero.String() != "" || zero.Human() != "—" {
		t.Errorf("zero date = %q / %q, want \"\" / \"—\"", zero.String(), zero.Human())
	}
	if v, err := zero.Value(); v != nil || err != nil {
		t.Errorf("zero date stores %v, %v; want NULL", v, err)
	}
	if v, _ := D(2026, 7, 1).Value(); v != "2026-07-01" {
		t.Errorf("D(2026,7,1).Value() = %v, want 2026-07-01", v)
	}
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to Date
		days     int
	}{
		{"same day", D(2026, 3, 31), D(2026, 3, 31), 0},
		{"next day", D(2026, 3, 31), D(2026, 4, 1), 1},
		{"back a day", D(2026, 4, 1), D(2026, 3, 31), -1},
		{"Dec 31 to Jan 1", D(2025, 12, 31), D(2026, 1, 1), 1},
		{"whole 2026", D(2026, 1, 1), D(2026, 12, 31), 364},
		{"whole leap 2024", D(2024, 1, 1), D(2024, 12, 31), 365},
		{"over a leap day", D(2024, 2, 28), D(2024, 3, 1), 2},
		{"no leap day", D(2026, 2, 28), D(2026, 3, 1), 1},
		{"Q1 2026", D(2026, 1, 1), D(2026, 3, 31), 89},
		{"over the DST change", D(2026, 3, 28), D(2026, 3, 30), 2},
		{"from the zero date", Date{}, D(2026, 1, 1), 739616}, // beyond a time.Duration's 292 years
		{"to the zero date", D(2026, 1, 1), Date{}, -739616},
	}
	for _, tt := range tests {
		if got := tt.from.DaysUntil(tt.to); got != tt.days {
			t.Errorf("%s: %s.DaysUntil(%s) = %d, want %d", tt.name, tt.from, tt.to, got, tt.days)
		}
		if !tt.from.IsZero() && !tt.to.IsZero() {
			if got := tt.from.AddDays(tt.days); got.String() != tt.to.String() {
				t.Errorf("%s: %s.AddDays(%d) = %s, want %s", tt.name, tt.from, tt.days, got, tt.to)
			}
		}
	}
	if got := D(2024, 2, 29).MonthStart(); got.String() != "2024-02-01" {
		t.Errorf("MonthStart = %s, want 2024-02-01", got)
	}
	if !D(2026, 1, 1).Before(D(2026, 1, 2)) || D(2026, 1, 2).Before(D(2026, 1, 2)) || !D(2026, 1, 2).After(D(2026, 1, 1)) {
		t.Error("Before/After disagree with the calendar")
	}
	// A time late in the evening east of UTC is still the UTC day.
	east := time.FixedZone("UTC+2", 2*3600)
	if got := DateOf(time.Date(2026, 7, 1, 1, 0, 0, 0, east)); got.String() != "2026-06-30" {
		t.Errorf("DateOf(01:00 UTC+2 on 1 Jul) = %s, want 2026-06-30", got)
	}
}

func TestDateScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
		err  bool
	}{
		{"2026-07-01", "2026-07-01", false},
		{"2026-07-01 00:00:00+00:00", "2026-07-01", false},
		{"2026-07-01T00:00:00Z", "2026-07-01", false},
		{[]byte("2024-02-29"), "2024-02-29", false},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-12-31", false},
		{nil, "", false},
		{"not a date", "", true},
		{42, "", true},
	}
	for _, tt := range tests {
		var d Date
		err := d.Scan(tt.in)
		if (err != nil) != tt.err || d.String() != tt.want {
			t.Errorf("Scan(%#v) = %q, %v; want %q (error %v)", tt.in, d.String(), err, tt.want, tt.err)
		}
	}
}

func TestParseQuarter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Quarter
		ok   bool
	}{
		{"2026-Q3", Quarter{2026, 3}, true},
		{"2026-Q1", Quarter{2026, 1}, true},
		{"2026-Q4", Quarter{2026, 4}, true},
		{"1900-Q1", Quarter{1900, 1}, true},
		{"2026-Q5", Quarter{}, false},
		{"2026-Q0", Quarter{}, false},
		{"26-Q1", Quarter{}, false},
		{"2026Q3", Quarter{}, false},
		{"2026-Q", Quarter{}, false},
		{"2026-Q31", Quarter{}, false},
		{"2026-3", Quarter{}, false},
		{"1899-Q4", Quarter{}, false},
		{"abcd-Q1", Quarter{}, false},
		{"+026-Q1", Quarter{}, false},
		{" 2026-Q3", Quarter{}, false},
		{"", Quarter{}, false},
	}
	for _, tt := range tests {
		got, err := ParseQuarter(tt.in)
		if !tt.ok {
			want := `"` + tt.in + `" is not a quarter (e.g. 2026-Q3)`
			if err == nil || err.Error() != want || !got.IsZero() {
				t.Errorf("ParseQuarter(%q) = %v, %v; want error %q", tt.in, got, err, want)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.in {
			t.Errorf("ParseQuarter(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestQuarterPrevNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q, prev, next string
	}{
		{"2026-Q1", "2025-Q4", "2026-Q2"},
		{"2026-Q2", "2026-Q1", "2026-Q3"},
		{"2026-Q3", "2026-Q2", "2026-Q4"},
		{"2026-Q4", "2026-Q3", "2027-Q1"},
		{"2000-Q1", "1999-Q4", "2000-Q2"},
	}
	for _, tt := range tests {
		q, _ := ParseQuarter(tt.q)
		if got := q.Prev().String(); got != tt.prev {
			t.Errorf("%s.Prev() = %s, want %s", tt.q, got, tt.prev)
		}
		if got := q.Next().String(); got != tt.next {
			t.Errorf("%s.Next() = %s, want %s", tt.q, got, tt.next)
		}
		if !q.Prev().Before(q) || q.Before(q.Prev()) || q.Before(q) || !q.Before(q.Next()) {
			t.Errorf("%s: Before disagrees with Prev/Next", tt.q)
		}
		if got := q.FirstQuarter().String(); got != tt.q[:4]+"-Q1" {
			t.Errorf("%s.FirstQuarter() = %s", tt.q, got)
		}
	}
	if !(Quarter{2025, 4}).Before(Quarter{2026, 1}) || (Quarter{2026, 1}).Before(Quarter{2025, 4}) {
		t.Error("2025-Q4 must come before 2026-Q1")
	}
	if (Quarter{}).String() != "0000-Q0" || !(Quarter{}).IsZero() || (Quarter{2026, 1}).IsZero() {
		t.Error("zero quarter")
	}
}

func TestFiscalQuarterBounds(t *testing.T) {
	t.Parallel()
	jan, apr, oct, dec := Fiscal{time.January}, Fiscal{time.April}, Fiscal{time.October}, Fiscal{time.December}
	tests := []struct {
		name       string
		f          Fiscal
		q          string
		start, end string
		months     [3]string
	}{
		{"Jan Q1", jan, "2026-Q1", "2026-01-01", "2026-03-31", [3]string{"2026-01-01", "2026-02-01", "2026-03-01"}},
		{"Jan Q2", jan, "2026-Q2", "2026-04-01", "2026-06-30", [3]string{"2026-04-01", "2026-05-01", "2026-06-01"}},
		{"Jan Q3", jan, "2026-Q3", "2026-07-01", "2026-09-30", [3]string{"2026-07-01", "2026-08-01", "2026-09-01"}},
		{"Jan Q4", jan, "2026-Q4", "2026-10-01", "2026-12-31", [3]string{"2026-10-01", "2026-11-01", "2026-12-01"}},
		{"unset = Jan", Fiscal{}, "2026-Q3", "2026-07-01", "2026-09-30", [3]string{"2026-07-01", "2026-08-01", "2026-09-01"}},
		// April start: FY2027 runs April 2026 to March 2027.
		{"Apr Q1", apr, "2027-Q1", "2026-04-01", "2026-06-30", [3]string{"2026-04-01", "2026-05-01", "2026-06-01"}},
		{"Apr Q3", apr, "2027-Q3", "2026-10-01", "2026-12-31", [3]string{"2026-10-01", "2026-11-01", "2026-12-01"}},
		{"Apr Q4", apr, "2027-Q4", "2027-01-01", "2027-03-31", [3]string{"2027-01-01", "2027-02-01", "2027-03-01"}},
		{"Apr Q4 leap", apr, "2024-Q4", "2024-01-01", "2024-03-31", [3]string{"2024-01-01", "2024-02-01", "2024-03-01"}},
		// October start: FY2027 runs October 2026 to September 2027.
		{"Oct Q1", oct, "2027-Q1", "2026-10-01", "2026-12-31", [3]string{"2026-10-01", "2026-11-01", "2026-12-01"}},
		{"Oct Q2", oct, "2027-Q2", "2027-01-01", "2027-03-31", [3]string{"2027-01-01", "2027-02-01", "2027-03-01"}},
		{"Oct Q4", oct, "2027-Q4", "2027-07-01", "2027-09-30", [3]string{"2027-07-01", "2027-08-01", "2027-09-01"}},
		// December start: Q1 ends on the last day of February.
		{"Dec Q1 leap", dec, "2024-Q1", "2023-12-01", "2024-02-29", [3]string{"2023-12-01", "2024-01-01", "2024-02-01"}},
		{"Dec Q1", dec, "2025-Q1", "2024-12-01", "2025-02-28", [3]string{"2024-12-01", "2025-01-01", "2025-02-01"}},
	}
	for _, tt := range tests {
		q, err := ParseQuarter(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.f.Start(q).String(); got != tt.start {
			t.Errorf("%s: Start(%s) = %s, want %s", tt.name, tt.q, got, tt.start)
		}
		if got := tt.f.End(q).String(); got != tt.end {
			t.Errorf("%s: End(%s) = %s, want %s", tt.name, tt.q, got, tt.end)
		}
		ms := tt.f.Months(q)
		if len(ms) != 3 || ms[0].String() != tt.months[0] || ms[1].String() != tt.months[1] || ms[2].String() != tt.months[2] {
			t.Errorf("%s: Months(%s) = %v, want %v", tt.name, tt.q, ms, tt.months)
		}
	}
}

func TestFiscalYearStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Fiscal
		fy   int
		want string
	}{
		{Fiscal{time.January}, 2026, "2026-01-01"},
		{Fiscal{}, 2026, "2026-01-01"},
		{Fiscal{time.April}, 2027, "2026-04-01"},
		{Fiscal{time.April}, 2026, "2025-04-01"},
		{Fiscal{time.October}, 2027, "2026-10-01"},
		{Fiscal{time.July}, 2026, "2025-07-01"},
	}
	for _, tt := range tests {
		if got := tt.f.YearStart(tt.fy).String(); got != tt.want {
			t.Errorf("Fiscal{%v}.YearStart(%d) = %s, want %s", tt.f.StartMonth, tt.fy, got, tt.want)
		}
	}
}

func TestFiscalQuarterOf(t *testing.T) {
	t.Parallel()
	jan, apr, oct := Fiscal{time.January}, Fiscal{time.April}, Fiscal{time.October}
	tests := []struct {
		f            Fiscal
		day          Date
		quarter      string
		lastComplete string
	}{
		{jan, D(2026, 1, 1), "2026-Q1", "2025-Q4"},
		{jan, D(2025, 12, 31), "2025-Q4", "2025-Q3"},
		{jan, D(2026, 2, 15), "2026-Q1", "2025-Q4"},
		{jan, D(2026, 3, 31), "2026-Q1", "2025-Q4"}, // last day: Q1 has not ended yet
		{jan, D(2026, 4, 1), "2026-Q2", "2026-Q1"},  // first day: Q1 has ended
		{jan, D(2026, 6, 30), "2026-Q2", "2026-Q1"},
		{jan, D(2026, 7, 1), "2026-Q3", "2026-Q2"},
		{jan, D(2026, 9, 30), "2026-Q3", "2026-Q2"},
		{jan, D(2026, 10, 1), "2026-Q4", "2026-Q3"},
		{jan, D(2024, 2, 29), "2024-Q1", "2023-Q4"},
		{Fiscal{}, D(2026, 8, 10), "2026-Q3", "2026-Q2"},
		{apr, D(2026, 4, 1), "2027-Q1", "2026-Q4"},
		{apr, D(2026, 3, 31), "2026-Q4", "2026-Q3"},
		{apr, D(2026, 7, 15), "2027-Q2", "2027-Q1"},
		{apr, D(2026, 12, 31), "2027-Q3", "2027-Q2"},
		{apr, D(2027, 1, 1), "2027-Q4", "2027-Q3"},
		{apr, D(2028, 2, 29), "2028-Q4", "2028-Q3"},
		{apr, D(2024, 2, 29), "2024-Q4", "2024-Q3"},
		{oct, D(2026, 10, 1), "2027-Q1", "2026-Q4"},
		{oct, D(2026, 9, 30), "2026-Q4", "2026-Q3"},
		{oct, D(2026, 12, 31), "2027-Q1", "2026-Q4"},
		{oct, D(2027, 1, 1), "2027-Q2", "2027-Q1"},
		{oct, D(2027, 7, 1), "2027-Q4", "2027-Q3"},
	}
	for _, tt := range tests {
		if got := tt.f.QuarterOf(tt.day).String(); got != tt.quarter {
			t.Errorf("Fiscal{%v}.QuarterOf(%s) = %s, want %s", tt.f.StartMonth, tt.day, got, tt.quarter)
		}
		if got := tt.f.LastComplete(tt.day).String(); got != tt.lastComplete {
			t.Errorf("Fiscal{%v}.LastComplete(%s) = %s, want %s", tt.f.StartMonth, tt.day, got, tt.lastComplete)
		}
	}
}

// Every day of 2023–2028 falls inside the bounds of the quarter QuarterOf names,
// whatever month the fiscal year starts in, and the quarters tile the calendar.
func TestFiscalQuarterOfWithinBounds(t *testing.T) {
	t.Parallel()
	for m := time.January; m <= time.December; m++ {
		f := Fiscal{m}
		prev := f.QuarterOf(D(2022, 12, 31))
		for d := D(2023, 1, 1); d.Before(D(2029, 1, 1)); d = d.AddDays(1) {
			q := f.QuarterOf(d)
			if d.Before(f.Start(q)) || d.After(f.End(q)) {
				t.Fatalf("Fiscal{%v}: %s is outside %s (%s to %s)", m, d, q, f.Start(q), f.End(q))
			}
			if q != prev && (q != prev.Next() || f.Start(q).String() != d.String()) {
				t.Fatalf("Fiscal{%v}: %s is in %s, after %s", m, d, q, prev)
			}
			prev = q
		}
	}
}
