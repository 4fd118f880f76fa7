package web

import (
	"net/http"
	"runtime"
	"sync"
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
// While a SQLite write transaction is waiting for the writer token or holding
// it (models.WritesInFlight), a read coming in also takes one of a quarter as
// many calm slots (at least one) until it has its main slot: SQLite runs one
// writer at a time, and the writer holding the lock, with the others queued
// behind it, then shares the cores with fewer reads. In the load harness (8
// writers under 32 readers, 10,000 engagements) that took the writes' p99 from
// 99 to ~65 ms, for ~40 % fewer reads while writes go on. PostgreSQL runs
// writers side by side and has no such lock (there the rule cost two thirds
// of the reads for nothing): WritesInFlight is always false there.
//
// A long read (a streaming export) gives its slot back as it starts streaming
// (ReleaseAdmission); the health probe is never held.
//
// A read that has waited admissionWait goes in over the limit: a few long
// reads (exports stream for seconds) hold slots for as long, and must not
// stall every page behind them.
func Admission(limit int) echo.MiddlewareFunc {
	if limit < 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	if limit == 0 {
		limit = 2 * runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, limit)
	calm := make(chan struct{}, max(1, limit/4))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
				c.SetRequest(c.Request().WithContext(models.Urgent(c.Request().Context())))
				return next(c)
			}
			if c.Path() == healthPath {
				return next(c)
			}
			ctx := c.Request().Context()
			t := time.NewTimer(admissionWait)
			defer t.Stop()
			var held []chan struct{}
			var once sync.Once
			release := func() {
				once.Do(func() {
					for _, ch := range held {
						<-ch
					}
				})
			}
			defer release()
			c.Set(admissionKey, release)
			if writesInFlight() {
				select {
				case calm <- struct{}{}:
					held = append(held, calm)
				case <-t.C:
					return next(c)
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			select {
			case slots <- struct{}{}:
				held = append(held, slots)
			case <-t.C:
			case <-ctx.Done():
				// Timed out while waiting (ContextTimeout runs first: 503), or gone.
				return ctx.Err()
			}
			return next(c)
		}
	}
}

// healthPath is the health probe's route: a load balancer must see a live
// server as live, however busy.
const healthPath = "/healthz"

// writesInFlight is models.WritesInFlight (a variable for tests).
var writesInFlight = models.WritesInFlight

const admissionKey = "admission.release"

// ReleaseAdmission gives the request's read slot back: a handler that streams
// for seconds (an export) calls it when it starts, so that it does not hold
// every other page behind it.
func ReleaseAdmission(c echo.Context) {
	if release, ok := c.Get(admissionKey).(func()); ok {
		release()
	}
}
