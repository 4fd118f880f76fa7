package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// With one read admitted at a time, a second read waits until the first is
// done, while a write goes through at once; a read whose request ends while it
// waits is answered without being handled.
func TestAdmissionHoldsReadsNotWrites(t *testing.T) {
	defer func(w time.Duration) { admissionWait = w }(admissionWait)
	admissionWait = time.Hour // however slow the machine, the read below waits for its slot
	e := echo.New()
	inside := make(chan string, 4)
	release := make(chan struct{})
	e.Use(Admission(1, nil))
	handler := func(c echo.Context) error {
		inside <- c.Request().Method + " " + c.Path()
		if c.Path() == "/slow" {
			<-release
		}
		return c.String(http.StatusOK, "ok")
	}
	e.GET("/slow", handler)
	e.GET("/read", handler)
	e.POST("/write", handler)
	serve := func(method, path string) <-chan int {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
			done <- rec.Code
		}()
		return done
	}
	slow := serve(http.MethodGet, "/slow")
	if got := <-inside; got != "GET /slow" {
		t.Fatalf("first in: %s", got)
	}
	read := serve(http.MethodGet, "/read")
	write := serve(http.MethodPost, "/write")
	if got := <-inside; got != "POST /write" {
		t.Fatalf("while a read holds the only slot, %s came in before the write", got)
	}
	if code := <-write; code != http.StatusOK {
		t.Fatalf("write: %d", code)
	}
	// A read whose request is over (client gone, or timed out) while it
	// waits is answered with an error, never handled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/read", nil).WithContext(ctx))
	if rec.Code == http.StatusOK {
		t.Fatal("a read whose request was over was handled")
	}
	select {
	case got := <-inside:
		t.Fatalf("%s came in while the only slot was held", got)
	default:
	}
	close(release)
	if code := <-slow; code != http.StatusOK {
		t.Fatalf("slow read: %d", code)
	}
	if got := <-inside; got != "GET /read" {
		t.Fatalf("after the slot freed: %s", got)
	}
	if code := <-read; code != http.StatusOK {
		t.Fatalf("waiting read: %d", code)
	}
}

// While a SQLite write is in flight, reads come in fewer at a time (a
// quarter of the limit, at least one): with a limit of four, a second read
// waits for the first although three slots are free, and comes in when it is
// done; a read that gives its slot back (an export starting to stream) lets
// the next in at once. The health probe never waits.
func TestAdmissionAdmitsFewerReadsWhileWriting(t *testing.T) {
	defer func(w time.Duration) { admissionWait = w }(admissionWait)
	admissionWait = time.Hour
	e := echo.New()
	inside := make(chan string, 4)
	release := map[string]chan struct{}{"/slow": make(chan struct{}), "/export": make(chan struct{})}
	e.Use(Admission(4, func() bool { return true }))
	handler := func(c echo.Context) error {
		if c.Path() == "/export" {
			_ = StreamAdmission(c)
		}
		inside <- c.Request().Method + " " + c.Path()
		if ch := release[c.Path()]; ch != nil {
			<-ch
		}
		return c.String(http.StatusOK, "ok")
	}
	for _, p := range []string{"/slow", "/read", "/export", "/healthz"} {
		e.GET(p, handler)
	}
	serve := func(path string) <-chan int {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			done <- rec.Code
		}()
		return done
	}
	export := serve("/export")
	if got := <-inside; got != "GET /export" {
		t.Fatalf("first in: %s", got)
	}
	slow := serve("/slow")
	if got := <-inside; got != "GET /slow" {
		t.Fatalf("after the export gave its slot back: %s", got)
	}
	read := serve("/read")
	health := serve("/healthz")
	if got := <-inside; got != "GET /healthz" {
		t.Fatalf("while a read held the calm slot, %s came in before the health probe", got)
	}
	select {
	case got := <-inside:
		t.Fatalf("%s came in while a write was in flight and a read held the calm slot", got)
	case <-time.After(50 * time.Millisecond):
	}
	close(release["/slow"])
	if got := <-inside; got != "GET /read" {
		t.Fatalf("after the first read: %s", got)
	}
	close(release["/export"])
	for name, done := range map[string]<-chan int{"export": export, "slow": slow, "read": read, "health": health} {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("%s: %d", name, code)
		}
	}
}

// Exports stream as many at a time as there are cores: one more waits, not
// holding a page's slot meanwhile, and starts when one ends.
func TestAdmissionStreamsAsManyAsCores(t *testing.T) {
	defer func(w time.Duration) { admissionWait = w }(admissionWait)
	admissionWait = time.Hour
	e := echo.New()
	e.Use(Admission(1, nil))
	started, finish := make(chan int, 64), make(chan struct{})
	e.GET("/export", func(c echo.Context) error {
		if err := StreamAdmission(c); err != nil {
			return err
		}
		started <- 1
		<-finish
		return c.String(http.StatusOK, "rows")
	})
	e.GET("/page", func(c echo.Context) error { return c.String(http.StatusOK, "page") })
	serve := func(path string) <-chan int {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			done <- rec.Code
		}()
		return done
	}
	cores := runtime.GOMAXPROCS(0)
	var exports []<-chan int
	for range cores + 1 {
		exports = append(exports, serve("/export"))
	}
	for range cores {
		<-started
	}
	if code := <-serve("/page"); code != http.StatusOK { // the only page slot is free
		t.Fatalf("page behind the exports: %d", code)
	}
	select {
	case <-started:
		t.Fatalf("%d exports streaming on %d cores", cores+1, cores)
	case <-time.After(50 * time.Millisecond):
	}
	finish <- struct{}{}
	<-started // the waiting one, once one ended
	close(finish)
	for _, done := range exports {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("export: %d", code)
		}
	}
}
