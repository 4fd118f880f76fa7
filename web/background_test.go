package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/labstack/echo/v4"
)

// yieldServer is a server counting its requests in flight, with a route that
// holds its request until release is closed, and the health probe.
func yieldServer(inside, release chan struct{}) (*Server, *echo.Echo) {
	s := &Server{inFlight: newInFlight()}
	e := echo.New()
	e.Use(s.inFlight.middleware)
	e.GET("/slow", func(c echo.Context) error {
		inside <- struct{}{}
		<-release
		return c.NoContent(http.StatusOK)
	})
	e.GET(healthPath, func(c echo.Context) error {
		inside <- struct{}{}
		<-release
		return c.NoContent(http.StatusOK)
	})
	return s, e
}

func serveIn(e *echo.Echo, path string) {
	go e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
}

// Yield returns once no request has been served for yieldSettle: at once
// after that on a quiet server; while a request is being served it waits,
// and a request that comes during the pause starts it again. The health
// probe does not count.
func TestYieldWaitsForAPauseInTheRequests(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		inside, release := make(chan struct{}), make(chan struct{})
		s, e := yieldServer(inside, release)
		ctx := context.Background()
		// The bubble's clock moves only when every goroutine in it waits.
		yieldAfter := func(what string, want time.Duration) {
			t.Helper()
			start := time.Now()
			if err := s.Yield(ctx); err != nil || time.Since(start) != want {
				t.Fatalf("%s: Yield = %v after %s, want nil after %s", what, err, time.Since(start), want)
			}
		}
		yieldAfter("quiet server", yieldSettle)

		serveIn(e, healthPath)
		<-inside
		yieldAfter("only the health probe in flight", yieldSettle)

		serveIn(e, "/slow")
		<-inside
		done := make(chan error, 1)
		go func() { done <- s.Yield(ctx) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Yield returned (%v) while a request was being served", err)
		default:
		}
		close(release) // both requests end
		synctest.Wait()
		ended := time.Now()
		if err := <-done; err != nil || time.Since(ended) != yieldSettle {
			t.Fatalf("Yield = %v %s after the request ended, want nil after %s", err, time.Since(ended), yieldSettle)
		}

		// A request during the pause: the pause starts again once it ends.
		release = make(chan struct{})
		s, e = yieldServer(inside, release)
		start := time.Now()
		go func() { done <- s.Yield(ctx) }()
		time.Sleep(yieldSettle / 2)
		serveIn(e, "/slow")
		<-inside
		time.Sleep(yieldSettle)
		close(release)
		synctest.Wait()
		if err := <-done; err != nil || time.Since(start) != yieldSettle/2+2*yieldSettle {
			t.Fatalf("a request during the pause: Yield = %v after %s, want nil after %s", err, time.Since(start), yieldSettle/2+2*yieldSettle)
		}
	})
}

// Under constant load Yield gives up waiting after yieldWait, so background
// work still finishes; once its context ends it says so.
func TestYieldIsBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		inside, release := make(chan struct{}), make(chan struct{})
		defer close(release)
		s, e := yieldServer(inside, release)
		serveIn(e, "/slow")
		<-inside
		start := time.Now()
		if err := s.Yield(context.Background()); err != nil || time.Since(start) != yieldWait {
			t.Fatalf("busy server: Yield = %v after %s, want nil after %s", err, time.Since(start), yieldWait)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Yield(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("ended context: Yield = %v, want context.Canceled", err)
		}
	})
}
