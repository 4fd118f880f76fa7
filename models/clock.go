package models

import (
	"time"

	"gorm.io/gorm"
)

// Clock is the app's one source of the current time: made once at start and
// handed to the database handle (Open), the web server and the background
// work. Nothing else reads the machine's clock, so a demo, a training run or
// a test can run the whole app as if it were another day (ClockAt).
type Clock struct {
	shift time.Duration // added to the machine's time: whole days
	fixed time.Time     // when set, the clock stands still at it (tests)
}

// SystemClock is the machine's own clock.
func SystemClock() Clock { return Clock{} }

// ClockAt is a clock that reads day d now and moves on from there in real
// time: the date is d, the time of day the machine's.
func ClockAt(d Date) Clock {
	return Clock{shift: time.Duration(SystemClock().Today().DaysUntil(d)) * 24 * time.Hour}
}

// ClockFrom is a clock that reads t now and moves on from there in real time.
func ClockFrom(t time.Time) Clock { return Clock{shift: time.Until(t)} }

// FixedClock is a clock that always reads t: for tests that need an exact instant.
func FixedClock(t time.Time) Clock { return Clock{fixed: t} }

// Now is the current time. It keeps the machine's monotonic reading (unless
// fixed), so the time between two readings is exact even if the system clock
// is set meanwhile.
func (c Clock) Now() time.Time {
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.shift)
}

// Today is the clock's calendar day in UTC.
func (c Clock) Today() Date { return DateOf(c.Now()) }

// Shifted reports whether the clock is not the machine's (ClockAt another
// day, or fixed).
func (c Clock) Shifted() bool { return c.shift != 0 || !c.fixed.IsZero() }

// NowOf is the time on the clock the database handle was opened with (Open
// sets it as GORM's NowFunc, which also stamps created_at and updated_at):
// what a write stamps its change rows with when its caller gave no time.
func NowOf(db *gorm.DB) time.Time { return db.NowFunc().UTC() }

// TodayOf is the calendar day on db's clock (NowOf).
func TodayOf(db *gorm.DB) Date { return DateOf(NowOf(db)) }
