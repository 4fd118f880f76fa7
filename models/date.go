package models

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar day without a time of day, stored as an ISO 8601 date
// (YYYY-MM-DD) so that it compares and sorts the same in SQLite and PostgreSQL.
type Date struct{ time.Time }

// DateLayout is the one textual form of a Date, in storage, forms and URLs.
const DateLayout = "2006-01-02"

// D builds a Date from its parts.
func D(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf truncates a time to its calendar day in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return D(t.Year(), t.Month(), t.Day())
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// String gives the ISO form, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// Human gives the date as people read it in tables ("2 Sep 2026").
func (d Date) Human() string {
	if d.IsZero() {
		return "—"
	}
	return d.Format("2 Jan 2006")
}

// AddDays moves the date by n days.
func (d Date) AddDays(n int) Date { return Date{d.Time.AddDate(0, 0, n)} }

// DaysUntil counts the days from d to o (negative when o is earlier). It counts
// calendar days, so it stays exact across centuries (a time.Duration saturates
// at about 292 years, e.g. against the zero date).
func (d Date) DaysUntil(o Date) int { return int(dayNumber(o.Time) - dayNumber(d.Time)) }

// dayNumber numbers t's calendar day: days since 1970-01-01 (exact, as the
// midnight UTC of a day is a whole number of days from the epoch).
func dayNumber(t time.Time) int64 {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Time.Before(o.Time) }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Time.After(o.Time) }

// MonthStart is the first day of d's month.
func (d Date) MonthStart() Date { return D(d.Year(), d.Month(), 1) }

// Value stores the date as text.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.Format(DateLayout), nil
}

// Scan reads a date from either a text column or a driver-parsed time.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = DateOf(x)
	case string:
		return d.scanText(x)
	case []byte:
		return d.scanText(string(x))
	default:
		return fmt.Errorf("cannot scan %T into Date", v)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) >= 10 {
		s = s[:10]
	}
	p, err := ParseDate(s)
	*d = p
	return err
}

// GormDataType tells GORM the column type.
func (Date) GormDataType() string { return "date" }

// AddMonths moves the date by whole months, on the same day of the month, or
// the month's last day when it has fewer (31 Jan + 1 month = 28 or 29 Feb).
func (d Date) AddMonths(n int) Date {
	first := D(d.Year(), d.Month(), 1).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return D(first.Year(), first.Month(), min(d.Day(), last))
}
