package web

// What the server's own background work (the health refresh, the register's
// quarter-end snapshots, the review pack built ahead) needs from it, so that
// the people using the app do not pay for that work: when requests are being
// served (Yield), and one job at a time (RunBackground).

import (
	"context"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// yieldWait is the longest Yield waits for a pause in the requests (a
// variable for tests): long enough that background work takes a small share
// of a busy server, short enough that it still finishes under constant load.
var yieldWait = 100 * time.Millisecond

// yieldSettle is how long no request must have been served for Yield to see
// a pause (a variable for tests).
var yieldSettle = 5 * time.Millisecond

// inFlight counts the requests being served, so that the server's own
// background work can wait for a moment when there is none (Server.Yield).
type inFlight struct {
	mu    sync.Mutex
	n     int
	quiet chan struct{} // closed while n is 0
}

func newInFlight() *inFlight {
	f := &inFlight{quiet: make(chan struct{})}
	close(f.quiet)
	return f
}

func (f *inFlight) begin() {
	f.mu.Lock()
	if f.n == 0 {
		f.quiet = make(chan struct{})
	}
	f.n++
	f.mu.Unlock()
}

func (f *inFlight) end() {
	f.mu.Lock()
	f.n--
	if f.n == 0 {
		close(f.quiet)
	}
	f.mu.Unlock()
}

// whenQuiet is closed once no request is being served.
func (f *inFlight) whenQuiet() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.quiet
}

// middleware counts every request but the health probe, which a load
// balancer sends whether anyone is using the app or not.
func (f *inFlight) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.Path == healthPath {
			return next(c)
		}
		f.begin()
		defer f.end()
		return next(c)
	}
}

// Yield is the server's models.Yield: it returns once no request has been
// served for yieldSettle, or after yieldWait at most, whichever comes first;
// with ctx's error once ctx ends. Background work calls it between its
// batches, so a batch starts in a pause of the app's use (not in the gap
// between one request and the next of the same page), or rarely enough on a
// busy server that the people using it do not pay for it.
func (s *Server) Yield(ctx context.Context) error {
	bound := time.NewTimer(yieldWait)
	defer bound.Stop()
	for {
		quiet := s.inFlight.whenQuiet()
		select {
		case <-quiet:
		case <-bound.C:
			return ctx.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
		settle := time.NewTimer(yieldSettle)
		select {
		case <-settle.C:
		case <-bound.C:
			settle.Stop()
			return ctx.Err()
		case <-ctx.Done():
			settle.Stop()
			return ctx.Err()
		}
		if s.inFlight.whenQuiet() == quiet { // no request came meanwhile
			return ctx.Err()
		}
	}
}

// RunBackground runs job once no other background job of the server is
// running: one at a time, so that the server's own work takes one core at
// most.
func (s *Server) RunBackground(job func()) {
	s.background.Lock()
	defer s.background.Unlock()
	job()
}
