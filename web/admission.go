package web

import (
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
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
// behind each other, each write taking many times the CPU it needs. Reads
// admitted a few at a time finish in
// about the same total time, a write competes with those few rather than with
// dozens, and a waiting read costs nothing but its wait. Limit 0 means twice
// the cores (GOMAXPROCS): enough to keep them busy while some requests wait on
// the network or the database; a negative limit admits every read.
//
// While a write holds SQLite's one writer connection (writing reports it:
// sqlstore.WritesInFlight), a read coming in also takes one of a quarter as
// many calm slots (at least one) until it has its main slot: SQLite runs one
// writer at a time, and that writer, with the others queued behind it, then
// shares the cores with fewer reads. PostgreSQL runs writers side by side, and
// there the rule would cost reads for nothing: writing is always false there.
//
// A long read (a streaming export) trades its slot, as it starts streaming,
// for one of as many stream slots as cores (StreamAdmission): pages are not
// held behind exports, and exports side by side share the cores with writes
// rather than take them (32 readers in the load harness's mixed run were
// mostly exports at once, and the writers' p99 rose with them). The health
// probe is never held.
//
// A read that has waited admissionWait goes in over the limit: a few long
// reads (exports stream for seconds) hold slots for as long, and must not
// stall every page behind them.
func Admission(limit int, writing func() bool) echo.MiddlewareFunc {
	if limit < 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	if limit == 0 {
		limit = 2 * runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, limit)
	calm := make(chan struct{}, max(1, limit/4))
	streams := make(chan struct{}, runtime.GOMAXPROCS(0))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
				return next(c)
			}
			if c.Path() == healthPath {
				return next(c)
			}
			ctx := c.Request().Context()
			t := time.NewTimer(admissionWait)
			defer t.Stop()
			var mu sync.Mutex // the handler's stream and the deferred release
			var held []chan struct{}
			release := func() {
				mu.Lock()
				defer mu.Unlock()
				for _, ch := range held {
					<-ch
				}
				held = nil
			}
			defer release()
			c.Set(admissionKey, admitted{release: release, stream: func() error {
				release()
				select {
				case streams <- struct{}{}:
					mu.Lock()
					held = append(held, streams)
					mu.Unlock()
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}})
			if writing != nil && writing() {
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

const admissionKey = "admission.release"

type admitted struct {
	release func()
	stream  func() error
}

// StreamAdmission trades the request's read slot for a stream slot, waiting
// for one: a handler that streams for seconds (an export) calls it before it
// starts, so that pages are not held behind it, and it competes with the
// other streams for the cores rather than with every page and write. An error
// means the request ended while it waited.
func StreamAdmission(c echo.Context) error {
	if a, ok := c.Get(admissionKey).(admitted); ok {
		return a.stream()
	}
	return nil
}
