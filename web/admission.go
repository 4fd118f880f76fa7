package web

import (
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
)

// admissionWait is the longest a read waits for a slot (a variable for tests).
var admissionWait = time.Second

// Admission lets at most limit reads (GET and HEAD) be handled at once; the
// others wait their turn in Go, using no CPU, until a slot frees or their
// request ends. Writes are never held: they pass straight on.
//
// Why: with more reads in flight than cores, every request is slowed by all
// the others, and a write slowed this way holds the database's writer lock
// (SQLite) or its counter rows (PostgreSQL) for as long, so writers queue
// behind each other: under 32 readers without pause, a risk update that needs
// ~1 ms of CPU took ~80 ms (p50). Reads admitted a few at a time finish in
// about the same total time, a write competes with those few rather than with
// dozens, and a waiting read costs nothing but its wait. Limit 0 means twice
// the cores (GOMAXPROCS): enough to keep them busy while some requests wait on
// the network or the database; a negative limit admits every read.
//
// With writesFirst (SQLite), while any write is in flight, reads come in a
// quarter of the limit at a time (at least one): SQLite runs one writer at a
// time, and the writer holding the lock, with the others queued behind it,
// then shares the cores with fewer reads. In the load harness (8 writers under
// 32 readers, 10,000 engagements) that took the writes' p99 from 99 to 62 ms,
// for ~40 % fewer reads while writes go on. PostgreSQL runs writers side by
// side, and its reads wait on the network: there the same rule took the reads
// from ~210 to 67 a second for writes already within their target, so it is
// off.
//
// A read that has waited admissionWait goes in over the limit: a few long
// reads (exports stream for seconds) hold slots for as long, and must not
// stall every page behind them.
func Admission(limit int, writesFirst bool) echo.MiddlewareFunc {
	if limit < 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	if limit == 0 {
		limit = 2 * runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, limit)
	calm := make(chan struct{}, max(1, limit/4))
	var writing atomic.Int64
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
				writing.Add(1)
				defer writing.Add(-1)
				c.SetRequest(c.Request().WithContext(models.Urgent(c.Request().Context())))
				return next(c)
			}
			ctx := c.Request().Context()
			t := time.NewTimer(admissionWait)
			defer t.Stop()
			// While writes are in flight, a read coming in also takes one of
			// the few calm slots: the reads admitted then are fewer, so a
			// write holding the writer lock gets more of a core.
			if writesFirst && writing.Load() > 0 {
				select {
				case calm <- struct{}{}:
					defer func() { <-calm }()
				case <-t.C:
					return next(c)
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-t.C:
			case <-ctx.Done():
				// Timed out while waiting (ContextTimeout runs first: 503), or gone.
				return ctx.Err()
			}
			return next(c)
		}
	}
}
