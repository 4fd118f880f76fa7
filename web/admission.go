package web

import (
	"net/http"
	"runtime"

	"github.com/labstack/echo/v4"
)

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
func Admission(limit int) echo.MiddlewareFunc {
	if limit < 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	if limit == 0 {
		limit = 2 * runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, limit)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
				return next(c)
			}
			ctx := c.Request().Context()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				// Timed out while waiting (ContextTimeout runs first: 503), or gone.
				return ctx.Err()
			}
			defer func() { <-slots }()
			return next(c)
		}
	}
}
