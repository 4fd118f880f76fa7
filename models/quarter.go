package models

import (
	"fmt"
	"time"
)

// Quarter names a fiscal quarter. A fiscal year is named by the calendar year
// in which it ends, so with a January start FY2026 is calendar 2026, and with an
// April start FY2027 runs from April 2026 to March 2027.
type Quarter struct {
	Year int // fiscal year
	Q    int // 1..4
}

// Fiscal is the fiscal calendar: the month in which the fiscal year starts.
type Fiscal struct{ StartMonth time.Month }

// DefaultFiscal starts the fiscal year in January.
var DefaultFiscal = Fiscal{StartMonth: time.January}

// ParseQuarter reads "2026-Q3".
func ParseQuarter(s string) (Quarter, error) {
	var q Quarter
	if _, err := fmt.Sscanf(s, "%4d-Q%1d", &q.Year, &q.Q); err != nil || len(s) != 7 || q.Q < 1 || q.Q > 4 || q.Year < 1900 {
		return Quarter{}, fmt.Errorf("%q is not a quarter (e.g. 2026-Q3)", s)
	}
	return q, nil
}

// String gives "2026-Q3".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// IsZero reports an unset quarter.
func (q Quarter) IsZero() bool { return q.Q == 0 }

// Prev is the quarter before.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

// Next is the quarter after.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{q.Year + 1, 1}
	}
	return Quarter{q.Year, q.Q + 1}
}

// Before reports whether q comes before o.
func (q Quarter) Before(o Quarter) bool {
	return q.Year < o.Year || (q.Year == o.Year && q.Q < o.Q)
}

// YearStart is the first day of a fiscal year.
func (f Fiscal) YearStart(fy int) Date {
	if f.StartMonth <= time.January {
		return D(fy, time.January, 1)
	}
	return D(fy-1, f.StartMonth, 1)
}

// Start is the first day of the quarter.
func (f Fiscal) Start(q Quarter) Date {
	return Date{f.YearStart(q.Year).AddDate(0, 3*(q.Q-1), 0)}
}

// End is the last day of the quarter.
func (f Fiscal) End(q Quarter) Date { return f.Start(q.Next()).AddDays(-1) }

// Months lists the first days of the quarter's three months.
func (f Fiscal) Months(q Quarter) []Date {
	s := f.Start(q)
	return []Date{s, {s.AddDate(0, 1, 0)}, {s.AddDate(0, 2, 0)}}
}

// QuarterOf gives the fiscal quarter a day falls in.
func (f Fiscal) QuarterOf(d Date) Quarter {
	start := f.StartMonth
	if start < time.January {
		start = time.January
	}
	offset := (int(d.Month()) - int(start) + 12) % 12 // months into the fiscal year
	fy := d.Year()
	if start > time.January && d.Month() >= start {
		fy++
	}
	return Quarter{Year: fy, Q: offset/3 + 1}
}

// LastComplete is the latest quarter that has ended before day d.
func (f Fiscal) LastComplete(d Date) Quarter { return f.QuarterOf(d).Prev() }

// FirstQuarter is Q1 of q's fiscal year.
func (q Quarter) FirstQuarter() Quarter { return Quarter{q.Year, 1} }
