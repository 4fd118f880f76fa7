package models_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"portfolio/models"
)

// TestOneClock fails when source outside the clock's own file reads the
// machine's clock: time comes from models.Clock, injected at start (the load
// harness, which times the server from outside, reads the machine's through
// SystemClock). Tests are exempt.
func TestOneClock(t *testing.T) {
	t.Parallel()
	machineClock := regexp.MustCompile(`\btime\.Now\b`)
	found := sourceLines(t, func(rel string) bool { return rel == "models/clock.go" }, machineClock.MatchString)
	if len(found) > 0 {
		t.Errorf("time.Now outside models/clock.go (take the time from the app's clock):\n%s", strings.Join(found, "\n"))
	}
}

func TestClockAt(t *testing.T) {
	t.Parallel()
	day := models.D(2028, time.February, 29)
	c := models.ClockAt(day)
	if got := c.Today(); got != day {
		t.Fatalf("ClockAt(%s).Today() = %s", day, got)
	}
	if !c.Shifted() || models.SystemClock().Shifted() {
		t.Error("Shifted: a clock at another day is shifted, the machine's is not")
	}
	// It moves on in real time: two readings are in order and close together.
	a := c.Now()
	b := c.Now()
	if b.Before(a) || b.Sub(a) > time.Minute {
		t.Errorf("readings %v then %v", a, b)
	}
	from := time.Date(2027, time.March, 31, 23, 59, 0, 0, time.UTC)
	if got := models.ClockFrom(from).Now(); got.Before(from) || got.Sub(from) > time.Minute {
		t.Errorf("ClockFrom(%v).Now() = %v", from, got)
	}
	if got := models.FixedClock(from).Today(); got != models.D(2027, time.March, 31) {
		t.Errorf("FixedClock(%v).Today() = %s", from, got)
	}
}
